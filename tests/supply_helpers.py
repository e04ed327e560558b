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


def small_projection():
    """A 50-draw projection of a 20-block Nd, Dy, Y inventory (start delay and price uncertain): for figure tests."""
    import numpy as np
    import pandas as pd

    from seabed.config.supply import SupplySettings
    from seabed.supply.model import project_supply

    inv = pd.DataFrame({"dry_tonnes": np.full(20, 5e6), "Nd": np.linspace(500, 1500, 20),
                        "Dy": np.linspace(50, 150, 20), "Y": np.linspace(400, 1200, 20)})
    params = {"plan.start_delay": {"dist": "uniform", "low": "0 year", "high": "3 year"},
              "economics.price_multiplier": {"dist": "triangular", "low": "0.7", "mode": "1", "high": "1.5"}}
    return project_supply(inv, SupplySettings(uncertainty={"draws": 50, "parameters": params}), seed=2)
