"""The only code that turns configuration sections into the arguments of the stages.

Every stage is a plain function with explicit arguments; this module maps each config section
onto them, so that no stage and no output module ever reads the config.
"""
