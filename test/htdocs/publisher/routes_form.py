"""A routed function that takes a form field (test_500_publisher)."""


def takes_form(name="nobody"):
    return f"name={name}"
