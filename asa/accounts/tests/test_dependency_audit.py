"""The CI's dependency audit (.ci/audit_dependencies.py) reads pip-audit's answer right."""

import importlib.util
import json
import pathlib

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[3] / ".ci" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def answer(dependencies=None, stderr=""):
        def run(command, **kwargs):
            if dependencies is not None:
                output = next(arg for arg in command if arg.startswith("--output="))
                pathlib.Path(output.removeprefix("--output=")).write_text(
                    json.dumps({"dependencies": dependencies})
                )
            return type("Result", (), {"returncode": 1, "stderr": stderr})()

        monkeypatch.setattr(module.subprocess, "run", run)
        return module

    return answer


def test_it_fails_on_a_known_vulnerability(audit, capsys):
    module = audit(
        [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "pyotp", "version": "2.12.0", "vulns": []},
        ]
    )
    assert module.main() == 1
    assert "django 5.2.0: PYSEC-1 (fixed in: 5.2.1)" in capsys.readouterr().out


def test_it_passes_a_clean_audit(audit, capsys):
    module = audit([{"name": "pyotp", "version": "2.12.0", "vulns": []}])
    assert module.main() == 0
    assert "no known vulnerabilities in 1 packages" in capsys.readouterr().out


def test_it_says_plainly_when_nothing_could_be_audited(audit, capsys):
    module = audit([{"name": "pyotp", "skip_reason": "Dependency not found on PyPI"}])
    assert module.main() == 0
    assert "NOT AUDITED" in capsys.readouterr().out


def test_it_says_so_when_the_service_is_unreachable(audit, capsys):
    module = audit(None, stderr="ConnectionError: cannot resolve pypi.org")
    assert module.main() == 0
    assert "NOT AUDITED" in capsys.readouterr().out
