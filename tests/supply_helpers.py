"""Settings shared by the supply tests."""

#: One non-China plant of practically unlimited capacity, running from before any horizon, with no cost
#: and the processing separation recovery: separation never binds (for tests about something else).
UNLIMITED_SEPARATION = {"plants": [{"name": "unlimited", "location": "japan", "light_capacity": "1e12 t/year",
                                    "heavy_capacity": "1e12 t/year", "start_year": 1900.0}]}

#: Economics without the items added by issue 16 (sustaining capex, closure, working capital, loss carry-forward)
#: and markets without size limits: for hand-computed cash flows of revenue, opex and capex alone.
PLAIN_ECONOMICS = {"sustaining_capex": "0", "closure_cost": "0", "working_capital": "0", "loss_carry_forward": False}
UNLIMITED_MARKETS = {"size": {}}

#: The optimistic plan of the defaults before issue 16 (commercial start 2035.0, 10,000 t/day taken as dry,
#: McNulty category 2, availability 0.85, leach recovery 0.85, the commercial plant from 2035.0): for tests about
#: offset mechanics that need an element offset within the horizon, independent of the centred base case.
EARLY_PLAN = {
    "plan": {"phases": [
        {"name": "trial", "start_year": 2027.1, "duration": "3 month", "rate_per_system": "350 t/day",
         "rate_basis": "wet", "operating_days": "365 day", "availability": "0.6", "ramp_up_category": 0,
         "delayable": False, "capex": "16.4e9 JPY", "capex_years": "1 year"},
        {"name": "commercial", "start_year": 2035.0, "rate_per_system": "10000 t/day", "rate_basis": "dry",
         "availability": "0.85", "ramp_up_category": 2, "capex": "3.25e9 USD"}]},
    "processing": {"leach_recovery": "0.85"},
    "separation": {"plants": [
        {"name": "japan_pilot", "location": "japan", "light_capacity": "50 t/year", "heavy_capacity": "50 t/year",
         "start_year": 2027.1, "opex": "5000 USD/t"},
        {"name": "japan_commercial", "location": "japan", "light_capacity": "3000 t/year",
         "heavy_capacity": "2000 t/year", "start_year": 2035.0, "capex": "5e8 USD", "opex": "5000 USD/t"}]},
}
