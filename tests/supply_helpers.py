"""Settings shared by the supply tests."""

#: One non-China plant of practically unlimited capacity, running from before any horizon: for tests
#: about something other than separation capacity (all mine-gate oxide is separated outside China).
UNLIMITED_SEPARATION = {"plants": [{"name": "unlimited", "location": "japan", "light_capacity": "1e12 t/year",
                                    "heavy_capacity": "1e12 t/year", "start_year": 1900.0}]}
