"""The shipped Prometheus files and a real /metrics answer pass Prometheus' own checker."""

from __future__ import annotations

import httpx
import yaml

from tests.observability.helpers import DEPLOY, run_tool, tool


async def test_alert_rules_pass_promtool_and_each_has_for_and_runbook():
    code, output = await run_tool(tool("promtool"), "check", "rules", str(DEPLOY / "alerts.yml"))
    assert code == 0, output
    rules = [
        rule
        for group in yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    names = {rule["alert"] for rule in rules}
    assert {
        "AlgoItnyNoLiveWorker",
        "AlgoItnyQueueBacklog",
        "AlgoItnyJobFailureRate",
        "AlgoItnyInternalErrorRate",
        "AlgoItnyTableThrottling",
        "AlgoItnyTableQueryLatency",
        "AlgoItnyRequestLatency",
        "AlgoItnyIndexerLag",
    } <= names
    for rule in rules:
        assert rule.get("for"), f"{rule['alert']} has no for:"
        assert rule["annotations"].get("runbook"), f"{rule['alert']} has no runbook"


async def test_prometheus_config_passes_promtool():
    code, output = await run_tool(tool("promtool"), "check", "config", str(DEPLOY / "prometheus.yml"))
    assert code == 0, output


async def test_api_metrics_scrape_passes_promtool_check_metrics(live_api: str):
    async with httpx.AsyncClient(base_url=f"http://{live_api}") as client:
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/no/such/route")).status_code == 404
        scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    text = scrape.text
    assert 'algoitny_http_requests_total{method="GET",route="/health/live",status="200"}' in text
    assert 'route="unmatched",status="404"' in text  # raw paths never become label values
    code, output = await run_tool(tool("promtool"), "check", "metrics", stdin=scrape.content)
    assert code == 0, output
