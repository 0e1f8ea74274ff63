"""Table Storage and queue access: the only place azure-data-tables and azure-storage-queue live."""
