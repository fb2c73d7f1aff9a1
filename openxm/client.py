"""A small Python client for the openxm API that gives pandas DataFrames.

    from openxm.client import Client

    xm = Client("https://xm.example.com", api_key="oxm_…")
    df = xm.responses("transactional-csat", **{"from": "2024-01-01", "answer": "csat:lte:2"})
    df.attrs["codebook"]["variables"][0]          # names, labels, value labels
    xm.codebook("transactional-csat")
    job = xm.import_file("survey.xlsx", "transactional-csat", {"columns": {"CSAT": "csat"}})

``responses`` runs an export job on the server (Parquet: exact types, the codebook inside) and
waits for it, so it works for large exports too; the frame has the same columns and values as
the server's CSV, XLSX and SPSS exports. Only the standard library, pandas and pyarrow are
used: no Django, so it runs in any notebook.
"""

from __future__ import annotations

import io
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


class ApiError(Exception):
    """The server refused a request; ``status`` and the JSON ``detail`` / ``field`` it sent."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        self.status = status
        self.detail = detail
        self.field = field
        super().__init__(f"HTTP {status}: {field + ': ' if field else ''}{detail}")


class Client:
    def __init__(self, base_url: str, api_key: str, timeout: float = 60.0):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # --- HTTP -----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        url = f"{self.base_url}/api/v1{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - http(s) checked above
        request.add_header("Authorization", f"Bearer {self.api_key}")
        request.add_header("Accept", "application/json")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return answer.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                data = json.loads(raw)
            except ValueError:
                data = {"detail": raw.decode("utf-8", "replace")[:500]}
            raise ApiError(error.code, str(data.get("detail")), data.get("field")) from None

    def _json(self, method: str, path: str, payload: Any = None, params: dict | None = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        raw = self._request(
            method,
            path,
            params=params,
            body=body,
            content_type="application/json" if body is not None else None,
        )
        return json.loads(raw) if raw else None

    # --- Responses ----------------------------------------------------------------------------

    def list_responses(self, page: int = 1, per_page: int = 50, **filters: Any) -> dict:
        """One page of the response browser (newest first) as JSON."""
        return self._json("GET", "/responses", params={**filters, "page": page, "per_page": per_page})

    def codebook(self, survey: str | int, **filters: Any) -> dict:
        return self._json("GET", "/responses/codebook", params={**filters, "survey": survey})

    def export(
        self,
        survey: str | int,
        format: str = "parquet",
        *,
        wait: float = 3600,
        poll: float = 0.5,
        **filters: Any,
    ) -> bytes:
        """Run an export job and return the file's bytes (csv, xlsx, sav or parquet)."""
        job = self._json(
            "POST", "/responses/exports", {"survey": str(survey), "format": format, "filters": filters}
        )
        deadline = time.monotonic() + wait
        while job["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"export {job['id']} is still {job['status']} after {wait} s")
            time.sleep(poll)
            job = self._json("GET", f"/responses/exports/{job['id']}")
        if job["status"] != "done":
            raise ApiError(500, job.get("error") or "the export failed")
        return self._request("GET", f"/responses/exports/{job['id']}/download")

    def responses(self, survey: str | int, **filters: Any):
        """The filtered responses of a survey as a DataFrame (``attrs["codebook"]``)."""
        import pandas as pd
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(self.export(survey, "parquet", **filters)))
        meta = table.schema.metadata or {}
        frame: pd.DataFrame = table.to_pandas()
        if b"openxm.codebook" in meta:
            frame.attrs["codebook"] = json.loads(meta[b"openxm.codebook"])
        return frame

    # --- Imports -----------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        survey: str | int | None,
        mapping: dict,
        *,
        mode: str = "responses",
        dry_run: bool = False,
        wait: float = 3600,
        poll: float = 0.5,
    ) -> dict:
        """Upload a file, set its mapping, check it and (unless ``dry_run``) import it; returns the
        job as JSON (``status``, counts, ``rejections``)."""
        path = Path(path)
        boundary = f"openxm-{secrets.token_hex(12)}"
        fields = {"survey": "" if survey is None else str(survey), "mode": mode}
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        header = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        body = b"".join(parts) + header + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        job = json.loads(
            self._request(
                "POST",
                "/responses/imports",
                body=body,
                content_type=f"multipart/form-data; boundary={boundary}",
            )
        )
        self._json("PUT", f"/responses/imports/{job['id']}/mapping", mapping)
        job = self._json("POST", f"/responses/imports/{job['id']}/{'check' if dry_run else 'commit'}")
        deadline = time.monotonic() + wait
        while job["status"] in ("checking", "importing"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"import {job['id']} is still {job['status']} after {wait} s")
            time.sleep(poll)
            job = self._json("GET", f"/responses/imports/{job['id']}")
        return job
