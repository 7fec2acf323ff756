"""The one way Caseload sends email. Deployed, SES (sesv2) sends it; locally a file mailer
writes each message as an .eml file under .data/outbox, so `make sweep` can be read back."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from chalicelib.config import get_settings


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str


class MailerError(Exception):
    """The message was not accepted; nothing about it may be marked sent."""


class Mailer(Protocol):
    def send(self, message: Message) -> str:
        """Hand the message over; its id once accepted, else MailerError."""


class SesMailer:
    """Amazon SES v2, from the configured sender and configuration set."""

    def __init__(self, client: Any = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # only the sweep sends mail: the API's cold start never builds this client

            self._client = boto3.client("sesv2", region_name=get_settings().region)
        return self._client

    def send(self, message: Message) -> str:
        settings = get_settings()
        params: dict[str, Any] = {
            "FromEmailAddress": settings.mail_from, "Destination": {"ToAddresses": [message.to]},
            "Content": {"Simple": {"Subject": {"Data": message.subject, "Charset": "UTF-8"},
                                   "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"},
                                            "Html": {"Data": message.html, "Charset": "UTF-8"}}}}}
        if settings.ses_configuration_set:
            params["ConfigurationSetName"] = settings.ses_configuration_set
        try:
            return self.client.send_email(**params)["MessageId"]
        except Exception as err:  # any refusal or outage: the events stay pending for the next run
            raise MailerError(type(err).__name__) from err


class FileMailer:
    """Writes each message to `<outbox>/<message id>.eml` (multipart: text and HTML)."""

    def __init__(self, outbox: Path | None = None) -> None:
        self.outbox = outbox or Path(get_settings().outbox_dir)

    def send(self, message: Message) -> str:
        message_id = uuid.uuid4().hex
        email = EmailMessage()
        email["From"] = get_settings().mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message_id}@caseload.local>"
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            (self.outbox / f"{message_id}.eml").write_bytes(bytes(email))
        except OSError as err:
            raise MailerError(type(err).__name__) from err
        return message_id


def default_mailer() -> Mailer:
    """The mailer the settings name (`CASELOAD_MAILER`: file or ses)."""
    return SesMailer() if get_settings().mailer == "ses" else FileMailer()
