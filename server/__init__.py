"""HTTP: the SPARQL endpoint and linked-data pages (to come with the endpoint issue)."""
