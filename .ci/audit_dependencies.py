"""Known vulnerabilities in requirements.lock (pip-audit), with the service's reach reported.

pip-audit asks a vulnerability service about each pinned package (PyPI's JSON API by default).
- A known vulnerability not listed in .ci/audit-ignore.txt fails the run.
- If the service cannot be reached (machines whose only way out is a package mirror without the
  JSON API), nothing is audited: that is printed plainly, and the run does not fail, since the
  build itself is not at fault. Run `make audit` where PyPI is reachable before a release.

.ci/audit-ignore.txt: one `VULNERABILITY-ID  reason` per line, for exceptions a person reviewed.
"""

import json
import pathlib
import subprocess  # nosec B404  # pip-audit only, an argument list
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.txt"


def ignored() -> dict[str, str]:
    entries = {}
    if IGNORE_FILE.exists():
        for line in IGNORE_FILE.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                identifier, _, reason = line.partition(" ")
                if not reason.strip():
                    sys.exit(f"{IGNORE_FILE.name}: {identifier} has no reason")
                entries[identifier] = reason.strip()
    return entries


def main() -> int:
    exceptions = ignored()
    with tempfile.TemporaryDirectory() as work:
        report = pathlib.Path(work) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(ROOT / "requirements.lock"),
            "--no-deps",  # every package is pinned in the lock; nothing to resolve
            "--disable-pip",
            "--progress-spinner=off",
            "--format=json",
            f"--output={report}",
            *(f"--ignore-vuln={identifier}" for identifier in exceptions),
        ]
        result = subprocess.run(  # noqa: S603  # nosec B603  # our interpreter, fixed arguments
            command, capture_output=True, text=True, timeout=600, check=False
        )
        if not report.exists():
            print("pip-audit: NOT AUDITED - the vulnerability service could not be reached:")
            print("  " + (result.stderr.strip().splitlines() or ["(no message)"])[-1])
            return 0
        dependencies = json.loads(report.read_text())["dependencies"]
    audited = [item for item in dependencies if "skip_reason" not in item]
    skipped = [item for item in dependencies if "skip_reason" in item]
    found = [
        (item["name"], item["version"], vulnerability)
        for item in audited
        for vulnerability in item.get("vulns", [])
    ]
    for identifier, reason in exceptions.items():
        print(f"pip-audit: ignoring {identifier}: {reason}")
    if not audited:
        print(
            f"pip-audit: NOT AUDITED - the vulnerability service (PyPI JSON API) did not answer "
            f"for any of the {len(skipped)} pinned packages from this machine. Run `make audit` "
            "where PyPI is reachable."
        )
        return 0
    if skipped:
        names = ", ".join(item["name"] for item in skipped)
        print(f"pip-audit: {len(skipped)} packages could not be audited: {names}")
    if found:
        for name, version, vulnerability in found:
            fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            print(f"pip-audit: {name} {version}: {vulnerability['id']} (fixed in: {fixes})")
        print("Upgrade in pyproject.toml and requirements.lock, or add a reviewed exception with")
        print("its reason to .ci/audit-ignore.txt.")
        return 1
    print(f"pip-audit: no known vulnerabilities in {len(audited)} packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
