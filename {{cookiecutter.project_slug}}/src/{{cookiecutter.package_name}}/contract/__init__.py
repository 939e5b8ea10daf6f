"""The data contract: one declared description of the data that every step derives from."""
