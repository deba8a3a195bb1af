"""No personal data in logs: phone numbers are masked by the logging configuration."""

import io
import logging

import pytest

from rural_taobao.log_privacy import MaskPhoneNumbersFilter
from rural_taobao.phones import mask_phones


def test_mask_phones_keeps_other_numbers():
    assert mask_phones("villager 13812348000 bought order 410225-20261129-00012") == (
        "villager 138****8000 bought order 410225-20261129-00012"
    )
    assert mask_phones("amount 138123480001 is not a phone") == "amount 138123480001 is not a phone"


def test_the_console_handler_masks_phones_in_messages_and_arguments(caplog):
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "login failed for %s", ("13900001111",), None)
    assert MaskPhoneNumbersFilter().filter(record)
    assert record.getMessage() == "login failed for 139****1111"


def test_settings_attach_the_filter_to_the_console_handler(settings):
    assert "mask_phones" in settings.LOGGING["handlers"]["console"]["filters"]


@pytest.fixture
def console_output():
    """What the configured console handler writes, captured."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_phones_in_an_exception_and_its_traceback_are_masked_in_the_console_output(console_output):
    # given: an exception whose text names a villager's phone, as a unique violation does
    logger = logging.getLogger("orders.services")
    try:
        raise ValueError("duplicate key value violates unique constraint: Key (phone)=(13812345678) already exists.")
    except ValueError:
        # when: it is logged with its traceback
        logger.exception("saving villager %s failed", "13900001111")
    # then: no full phone reaches the output, message or traceback
    output = console_output.getvalue()
    assert "Traceback (most recent call last)" in output
    assert "ValueError: duplicate key" in output
    assert "13812345678" not in output
    assert "138****5678" in output
    assert "13900001111" not in output
    assert "139****1111" in output


def test_phones_in_stack_info_are_masked(console_output):
    def villager_13700002222():
        logging.getLogger("x").warning("where", stack_info=True)

    villager_13700002222()
    assert "13700002222" not in console_output.getvalue()
    assert "137****2222" in console_output.getvalue()


def test_celery_workers_keep_the_masking_console_handler():
    from rural_taobao.celery import app

    assert app.conf.worker_hijack_root_logger is False
