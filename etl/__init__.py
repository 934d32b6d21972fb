"""ETL for the Idlib displacement dashboard: sources -> validated canonical tables -> warehouse."""
