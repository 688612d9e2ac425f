"""HTTP: the SPARQL 1.1 Protocol endpoint and its service description, the Graph Store, the minted
IRIs as linked data, the VoID description and dumps, the health check.

`app.create_app(config, store)` builds the Flask app; `run.serve(config)` is `diplograph serve`.
Nothing here imports Flask at package level, so query worker processes start light.
"""
