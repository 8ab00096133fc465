"""The database: one door to the file, the schema, building, importing, ranking, history."""
