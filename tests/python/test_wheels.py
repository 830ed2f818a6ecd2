"""The release artefacts scripts/wheels builds: wheels that old Linux systems
install (manylinux tags no newer than glibc 2.28, abi3), a small extension,
PEP 639 licence metadata, and the package tests passing against the wheel
installed into a fresh venv.

Building takes a few minutes the first time (a cross build through zig);
PGSPLIT_SKIP_WHEELS=1 skips these tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.skipif(
    os.environ.get("PGSPLIT_SKIP_WHEELS") == "1",
    reason="PGSPLIT_SKIP_WHEELS=1: the release wheels are not built or tested",
)

DIST = PROJECT / "dist"
# The newest glibc a wheel may require: RHEL 8, Debian 11 and Ubuntu 20.04 have 2.28 or newer.
NEWEST_GLIBC = (2, 28)
MAX_EXTENSION_BYTES = 8 * 1024 * 1024
LICENSE_FILES = ("LICENSE-MIT", "LICENSE-APACHE")


@pytest.fixture(scope="module")
def dist() -> Path:
    """dist/ as scripts/wheels leaves it, built once for this module."""
    run = subprocess.run([PROJECT / "scripts" / "wheels"], capture_output=True, text=True)
    assert run.returncode == 0, f"scripts/wheels failed:\n{run.stdout}\n{run.stderr}"
    return DIST


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    wheels = sorted(dist.glob("pgsplit-*-manylinux*_x86_64*.whl"))
    assert len(wheels) == 1, f"expected one x86_64 wheel in dist/, found {wheels}"
    return wheels[0]


def dist_info_file(archive: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in archive.namelist() if re.fullmatch(rf"pgsplit-[^/]+\.dist-info/{name}", n)]
    return archive.read(path).decode()


def glibc_of(platform: str) -> tuple[int, int]:
    """The glibc version a manylinux platform tag requires (PEP 600 and its legacy aliases)."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    for alias, version in legacy.items():
        if platform.startswith(alias + "_"):
            return version
    match = re.fullmatch(r"manylinux_(\d+)_(\d+)_\w+", platform)
    assert match, f"{platform} is not a manylinux tag"
    return int(match[1]), int(match[2])


def test_the_wheel_is_abi3_for_an_old_glibc(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        wheel_file = dist_info_file(archive, "WHEEL")
    tags = [line.removeprefix("Tag: ") for line in wheel_file.splitlines() if line.startswith("Tag: ")]
    assert tags, "the WHEEL file names no tag"
    for tag in tags:
        python, abi, platform = tag.split("-")
        assert (python, abi) == ("cp310", "abi3"), tag
        assert glibc_of(platform) <= NEWEST_GLIBC, f"{tag} needs a glibc newer than {NEWEST_GLIBC}"


def test_the_extension_is_small_and_stripped(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (extension,) = [i for i in archive.infolist() if re.fullmatch(r"pgsplit/_native[^/]*\.so", i.filename)]
        assert extension.file_size < MAX_EXTENSION_BYTES, f"{extension.filename} is {extension.file_size} bytes"
        so = Path(archive.extract(extension, tmp_path))
    sections = subprocess.run(["readelf", "-S", "-W", so], capture_output=True, text=True, check=True).stdout
    assert ".debug_info" not in sections, "the extension carries debug info"
    assert ".symtab" not in sections, "the extension is not stripped"
    # What the tag promises, the symbols keep: no glibc symbol newer than the oldest tag allows.
    symbols = subprocess.run(["readelf", "--dyn-syms", "-W", so], capture_output=True, text=True, check=True).stdout
    needed = max(tuple(map(int, v)) for v in re.findall(r"@GLIBC_(\d+)\.(\d+)", symbols))
    assert needed <= NEWEST_GLIBC, f"the extension needs glibc {needed}"


def test_the_wheel_and_sdist_carry_the_licences(dist: Path, wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = dist_info_file(archive, "METADATA")
        for name in LICENSE_FILES:
            assert (PROJECT / name).read_text() == dist_info_file(archive, f"licenses/{name}")
    assert "License-Expression: MIT OR Apache-2.0\n" in metadata
    assert [line for line in metadata.splitlines() if line.startswith("License-File: ")] == [
        f"License-File: {name}" for name in LICENSE_FILES
    ]
    assert not re.search(r"^License: ", metadata, re.MULTILINE), "the legacy License field is back"
    (sdist,) = dist.glob("pgsplit-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    # At the sdist's top: the vendored crates carry licence files of these names too.
    root = names[0].split("/")[0]
    assert {f"{root}/{name}" for name in LICENSE_FILES} <= set(names)


def test_the_installed_wheel_passes_the_package_tests(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "pytest", str(wheel)], check=True)
    tests = PROJECT / "tests" / "python"
    where = subprocess.run(
        [python, "-c", "import pgsplit; print(pgsplit.__file__)"], cwd=tests, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), f"pgsplit was imported from {where}, not from the wheel"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PGSPLIT_BIN")}
    run = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_package.py"],
        cwd=tests,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"the package tests failed against the wheel:\n{run.stdout}\n{run.stderr}"


def rust_targets() -> list[str]:
    run = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True, check=False)
    return run.stdout.split() if run.returncode == 0 else []


def test_the_musl_wheel_is_abi3_musllinux_and_needs_no_glibc(dist: Path, tmp_path: Path) -> None:
    if "x86_64-unknown-linux-musl" not in rust_targets():
        pytest.skip("no x86_64-unknown-linux-musl Rust target (rustup target add x86_64-unknown-linux-musl)")
    (wheel,) = dist.glob("pgsplit-*-musllinux*_x86_64.whl")
    with zipfile.ZipFile(wheel) as archive:
        tags = [line.removeprefix("Tag: ") for line in dist_info_file(archive, "WHEEL").splitlines() if "Tag: " in line]
        (extension,) = [n for n in archive.namelist() if re.fullmatch(r"pgsplit/_native[^/]*\.so", n)]
        so = Path(archive.extract(extension, tmp_path))
    assert tags == ["cp310-abi3-musllinux_1_2_x86_64"]
    dynamic = subprocess.run(["readelf", "-d", "-W", so], capture_output=True, text=True, check=True).stdout
    assert "libc.so.6" not in dynamic, "the musl wheel's extension links glibc"


def cargo_lock_registry_packages(lock: str) -> set[tuple[str, str]]:
    """(name, version) of every crates.io package in a Cargo.lock."""
    found = set()
    for block in lock.split("[[package]]")[1:]:
        fields = dict(re.findall(r'^(name|version|source) = "([^"]*)"$', block, re.MULTILINE))
        if fields.get("source", "").startswith("registry+"):
            found.add((fields["name"], fields["version"]))
    return found


def test_the_sdist_carries_every_crate_it_builds_from(dist: Path) -> None:
    """So that `pip install` of the sdist builds with no network access to crates.io."""
    (sdist,) = dist.glob("pgsplit-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        root = names[0].split("/")[0]
        assert f"{root}/.cargo/config.toml" in names, "the sdist has no .cargo/config.toml: no crate was vendored"
        config = archive.extractfile(f"{root}/.cargo/config.toml")
        lock = archive.extractfile(f"{root}/Cargo.lock")
        assert config is not None and lock is not None
        config_text, lock_text = config.read().decode(), lock.read().decode()
        manifests = {name.split("/")[2] for name in names if re.fullmatch(rf"{root}/vendor/[^/]+/Cargo.toml", name)}
    assert 'replace-with = "vendored-sources"' in config_text
    assert 'directory = "vendor"' in config_text
    packages = cargo_lock_registry_packages(lock_text)
    assert packages, "the sdist's Cargo.lock names no crate"
    # cargo vendor names a crate's folder after it, or after it and its version
    # when two versions are vendored.
    missing = {(n, v) for n, v in packages if n not in manifests and f"{n}-{v}" not in manifests}
    assert not missing, f"crates the sdist does not carry: {sorted(missing)}"
