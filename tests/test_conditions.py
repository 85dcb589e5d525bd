

def test_the_command_line_offers_every_consent_state() -> None:
    from woda_sharing._conditions import CONSENT_STATES
    from woda_sharing.cli._check import CONSENT_CHOICES

    assert tuple(sorted(CONSENT_STATES)) == CONSENT_CHOICES
