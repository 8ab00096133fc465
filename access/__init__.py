"""Who may write: accounts, sign-in, uploads from the web."""
