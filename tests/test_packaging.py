"""Every addon builds as a wheel from setup/<addon> (Odoo not needed)."""

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(manifest.parent for manifest in REPO.glob("*/__manifest__.py"))


def remove_build_leftovers(setup_dir):
    shutil.rmtree(setup_dir / "build", ignore_errors=True)
    for egg_info in setup_dir.glob("*.egg-info"):
        shutil.rmtree(egg_info)


def build_wheel(setup_dir, wheel_dir):
    remove_build_leftovers(setup_dir)
    try:
        return subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
            + [str(setup_dir), "--wheel-dir", str(wheel_dir)],
            capture_output=True,
            text=True,
        )
    finally:
        remove_build_leftovers(setup_dir)


@pytest.fixture(scope="module")
def wheel_dirs(tmp_path_factory):
    """Build the wheels of all addons at once: {addon: (pip run, wheel dir)}."""
    builds = {}
    with ThreadPoolExecutor() as pool:
        for addon in ADDONS:
            setup_dir = REPO / "setup" / addon.name
            if setup_dir.is_dir():
                wheel_dir = tmp_path_factory.mktemp(addon.name)
                build = pool.submit(build_wheel, setup_dir, wheel_dir)
                builds[addon] = (build, wheel_dir)
    return {addon: (build.result(), path) for addon, (build, path) in builds.items()}


@pytest.mark.parametrize("addon", ADDONS, ids=lambda addon: addon.name)
def test_wheel(addon, wheel_dirs):
    link = REPO / "setup" / addon.name / "odoo" / "addons" / addon.name
    assert link.is_symlink() and link.resolve() == addon, "see setup/README.md"
    pip, wheel_dir = wheel_dirs[addon]
    assert pip.returncode == 0, pip.stdout + pip.stderr

    manifest = ast.literal_eval((addon / "__manifest__.py").read_text("utf-8"))
    (wheel,) = wheel_dir.glob("*.whl")
    # The version is the manifest's, plus ".N" for commits since it changed.
    version = re.escape(manifest["version"]) + r"(\.(dev)?\d+)?"
    expected = rf"odoo_addon_{addon.name}-{version}-py3-none-any\.whl"
    assert re.fullmatch(expected, wheel.name)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    # Once committed, the wheel holds the files git tracks (setup/README.md).
    assert f"odoo/addons/{addon.name}/__manifest__.py" in names, "git add the addon"


def requirement_names(path):
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower())
    return names


def test_requirements_are_the_manifests_external_dependencies():
    """requirements.txt lists the run-time Python packages of the addons, the
    ones their manifests declare; development tools are in test-requirements.txt."""
    declared = set()
    for addon in ADDONS:
        manifest = ast.literal_eval((addon / "__manifest__.py").read_text("utf-8"))
        python = manifest.get("external_dependencies", {}).get("python", [])
        declared |= {name.lower() for name in python}
    assert requirement_names(REPO / "requirements.txt") == declared
    tools = requirement_names(REPO / "test-requirements.txt")
    assert {"pytest", "pre-commit", "oca-odoo-pre-commit-hooks"} <= tools
    assert not declared & tools, "run-time packages belong in requirements.txt"
