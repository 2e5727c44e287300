"""The simulated GitHub's GraphQL API: GitHub's schema executed with graphql-core over the
same world the REST endpoints serve (`endpoint.py`, `views.py`, `cost.py`, `schema.py`)."""
