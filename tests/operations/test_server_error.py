"""The page of a server error: 503 when the database could not be reached, wherever that was noticed."""

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_seeing_errors(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_a_database_error_in_a_middleware_answers_503(client_seeing_errors, monkeypatch):
    """Saving the session, after the view, is where a database that just went away fails a request."""

    def fails(self, request, response):
        raise OperationalError('connection to server at "10.0.0.9", port 5432 failed: secret')

    monkeypatch.setattr(SessionMiddleware, "process_response", fails)
    response = client_seeing_errors.get("/clips/")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert "10.0.0.9" not in body and "secret" not in body and "5432" not in body


def test_any_other_error_is_the_usual_500(client_seeing_errors, monkeypatch):
    def fails(self, request, response):
        raise ValueError("a bug")

    monkeypatch.setattr(SessionMiddleware, "process_response", fails)
    response = client_seeing_errors.get("/clips/")
    assert response.status_code == 500
    assert "a bug" not in response.content.decode()
