"""Shared ETL machinery: problem collection, table contracts, the versioned warehouse."""
