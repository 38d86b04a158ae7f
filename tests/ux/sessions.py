"""Logging a test client in as a person would be after the second factor, where that person needs one."""


def login(client, user):
    client.force_login(user)
    try:  # the second-factor helper of the accounts tests, when present
        from tests.factories import verify_second_factor
    except ImportError:
        return
    verify_second_factor(client, user)
