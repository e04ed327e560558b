"""Demo-data tool: SYNTHETIC core assays for demonstrations and tests (not real data).

Not an input reader (those are in :mod:`seabed.inputs`): it *makes* interval tables in the schema
of :func:`seabed.inputs.cores.load_cores`, calibrated to published summary statistics.

- :mod:`seabed.demo.model`: the deposit and coring model, :func:`~seabed.demo.model.generate_survey`;
- :mod:`seabed.demo.sites`: core sites, water depth, spatial random fields;
- :mod:`seabed.demo.catalogue`: the shipped files ``data/cores/*.csv``;
- ``python -m seabed.demo``: regenerate them (:mod:`seabed.demo.__main__`).
"""
