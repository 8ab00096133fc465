"""The domain: vocabulary, assessed entities, responsible units, index frameworks, the plan crosswalk.

No reading of files other than data/, no database: every other layer builds on these."""
