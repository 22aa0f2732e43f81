"""Pydantic contracts shared by every layer of specmill.

Data flows one way: schemas <- specmill <- assets/checks/resources <- definitions.
The worker depends on this package and nothing else of ours.
"""
