"""In-memory Flexe simulator speaking the contract in providers/flexe/CONTRACT.md."""
