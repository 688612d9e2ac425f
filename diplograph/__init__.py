"""diplograph: news reporting on diplomacy and conflict as a grounded, attributed knowledge graph."""

__version__ = "0.1.0"
