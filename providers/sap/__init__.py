"""SAP S/4HANA client: sales orders for billing (OData v2 with CSRF) and billing documents."""
