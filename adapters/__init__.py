"""Edge implementations of service ports: Table Storage and Storage Queues."""
