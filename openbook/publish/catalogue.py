"""The static catalogue: HTML pages and a DCAT-AP ``catalog.json``.

Rendered from the published datapackage.json descriptors only, and
deterministic (no clock, sorted keys), so that publishing the same packages
again renders the same bytes and every page is "unchanged".

All links are relative, so the catalogue works from a folder, a bucket, or
behind any web server or CDN. The IRIs in catalog.json are relative to
catalog.json itself, as JSON-LD allows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import jinja2

from openbook.templates import environment, safe_href, with_csp

from openbook.publish import board
from openbook.publish.plan import human_bytes
from openbook.datapackage.contract import DESCRIPTOR, Item

CATALOGUE_TITLE = "Open-book data catalogue"


@dataclass
class Dataset:
    org: str  # organisation slug
    name: str  # package name
    versions: list[str]  # published versions, oldest first
    descriptor: dict  # the highest version's datapackage.json

    @property
    def folder(self) -> str:
        return f"{self.org}/{self.name}/"

    @property
    def version(self) -> str:
        return self.descriptor.get("version") or self.versions[-1]

    @property
    def org_slug(self) -> str:
        return self.org

    @property
    def org_name(self) -> str:
        return self.organisation.get("name") or self.org

    @property
    def title(self) -> str:
        return self.descriptor.get("title") or self.name

    @property
    def organisation(self) -> dict:
        ob = self.descriptor.get("openbook") or {}
        org = dict(ob.get("organisation") or {})
        pub = self.descriptor.get("publisher") or {}
        org.setdefault("name", pub.get("title") or self.org)
        org.setdefault("uri", pub.get("path"))
        return org

    @property
    def openbook(self) -> dict:
        return self.descriptor.get("openbook") or {}

    @property
    def validation(self) -> dict:
        return self.openbook.get("validation") or {}

    @property
    def resources(self) -> list[dict]:
        return [r for r in self.descriptor.get("resources") or [] if isinstance(r, dict)]

    @property
    def license(self) -> dict:
        lics = self.descriptor.get("licenses") or []
        return lics[0] if lics and isinstance(lics[0], dict) else {}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = environment(keep_trailing_newline=True)
    env.filters["human_bytes"] = human_bytes
    env.filters["digest"] = lambda h: (h or "").split(":", 1)[-1]
    env.filters["count"] = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")
    return env


def render(datasets: list[Dataset], current: Dataset) -> list[Item]:
    """The pages to (re)write after publishing ``current``: its dataset page,
    catalog.json and index.html, in that order."""
    datasets = sorted(datasets, key=lambda d: (d.organisation.get("name", d.org).lower(), d.org, d.title.lower(), d.name))
    return [
        Item.from_bytes(f"{current.folder}index.html", render_dataset(current).encode("utf-8")),
        Item.from_bytes("catalog.json", render_dcat(datasets).encode("utf-8")),
        Item.from_bytes("index.html", render_index(datasets).encode("utf-8")),
    ]


def render_index(datasets: list[Dataset]) -> str:
    orgs: dict[str, dict] = {}
    for d in datasets:
        entry = orgs.setdefault(d.org, {"slug": d.org, "name": d.organisation.get("name") or d.org,
                                        "uri": d.organisation.get("uri"), "datasets": []})
        entry["datasets"].append(d)
    return with_csp(_env().get_template("catalogue_index.html").render(
        title=CATALOGUE_TITLE, organisations=list(orgs.values()), count=len(datasets), root="",
        board=board.build(datasets)))


def render_dataset(d: Dataset) -> str:
    return with_csp(_env().get_template("catalogue_dataset.html").render(
        title=d.title, d=d, root="../../", descriptor_name=DESCRIPTOR))


def _typed(value, datatype):
    return {"@value": str(value), "@type": datatype}


def render_dcat(datasets: list[Dataset]) -> str:
    """DCAT-AP 2 as JSON-LD. IRIs are relative to catalog.json."""
    out_datasets = []
    for d in datasets:
        base = f"{d.folder}{d.version}/"
        org = d.organisation
        publisher = {"@type": "foaf:Agent", "foaf:name": org.get("name") or d.org}
        if safe_href(org.get("uri")):   # an IRI a catalogue reader may follow: http(s) only
            publisher["@id"] = org["uri"]
        ds = {
            "@id": f"{d.folder}",
            "@type": "dcat:Dataset",
            "dct:identifier": f"{d.org}/{d.name}",
            "dct:title": d.title,
            "dct:description": d.descriptor.get("description") or d.title,
            "dct:publisher": publisher,
            "owl:versionInfo": d.version,
            "dcat:landingPage": {"@id": f"{d.folder}index.html"},
            "dcat:distribution": [],
        }
        if d.descriptor.get("created"):
            ds["dct:issued"] = _typed(d.descriptor["created"], "xsd:dateTime")
        if d.descriptor.get("keywords"):
            ds["dcat:keyword"] = [k for k in d.descriptor["keywords"] if isinstance(k, str)]
        tc = d.descriptor.get("temporalCoverage") or {}
        if tc.get("start") or tc.get("end"):
            period = {"@type": "dct:PeriodOfTime"}
            if tc.get("start"):
                period["dcat:startDate"] = _typed(tc["start"], "xsd:date")
            if tc.get("end"):
                period["dcat:endDate"] = _typed(tc["end"], "xsd:date")
            ds["dct:temporal"] = period
        if d.openbook.get("standard"):
            ds["dct:conformsTo"] = {"@type": "dct:Standard",
                                    "dct:title": f"open-book standard {d.openbook['standard']}",
                                    "owl:versionInfo": d.openbook["standard"]}
        lic = d.license.get("path")
        files = [(r.get("title") or r.get("name") or r.get("path"), r.get("path"), r.get("mediatype") or "text/csv",
                  r.get("bytes"), r.get("hash")) for r in d.resources]
        files.append((f"{d.title}: Data Package descriptor", DESCRIPTOR, "application/json", None, None))
        for title, path, mediatype, size, digest in files:
            dist = {
                "@type": "dcat:Distribution",
                "dct:title": title,
                "dcat:accessURL": {"@id": f"{d.folder}index.html"},
                "dcat:downloadURL": {"@id": f"{base}{path}"},
                "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{mediatype}"},
            }
            if safe_href(lic):
                dist["dct:license"] = {"@id": lic}
            if isinstance(size, int):
                dist["dcat:byteSize"] = _typed(size, "xsd:nonNegativeInteger")
            if isinstance(digest, str) and digest.startswith("sha256:"):
                dist["spdx:checksum"] = {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                    "spdx:checksumValue": _typed(digest.split(":", 1)[1], "xsd:hexBinary"),
                }
            ds["dcat:distribution"].append(dist)
        out_datasets.append(ds)
    doc = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "owl": "http://www.w3.org/2002/07/owl#",
            "spdx": "http://spdx.org/rdf/terms#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": "catalog.json",
        "@type": "dcat:Catalog",
        "dct:title": CATALOGUE_TITLE,
        "dct:description": "UK public-sector open-book data, published with openbook.",
        "foaf:homepage": {"@id": "index.html"},
        "dcat:dataset": out_datasets,
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
