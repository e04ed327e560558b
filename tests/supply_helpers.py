"""Settings shared by the supply tests."""

#: One non-China plant of practically unlimited capacity, running from before any horizon, with no cost
#: and the processing separation recovery: separation never binds (for tests about something else).
UNLIMITED_SEPARATION = {"plants": [{"name": "unlimited", "location": "japan", "light_capacity": "1e12 t/year",
                                    "heavy_capacity": "1e12 t/year", "start_year": 1900.0}]}
