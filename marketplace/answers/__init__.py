"""Answers written by experts and the customers' feedback on them."""
