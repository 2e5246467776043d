"""The `linesheets` command line: check's report and exit codes, passcode hashing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from generator.cli import main
from generator.passcode import is_passcode_hash, verify_passcode
from tests.unit.conftest import ContentDir


def test_check_prints_a_summary_and_exits_0(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(content.root)]) == 0
    assert capsys.readouterr().out == (
        "ok: Atelier Test: 1 season, 2 styles, 1 lookbook, 1 buyer, 2 links\n")


def test_check_prints_every_problem_and_exits_1(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nshow_term: true")
    content.edit("buyers/aoyama.yaml", "country: JP", "country: Japan")
    assert main(["check", str(content.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "content/buyers/aoyama.yaml:5: country: 'Japan' is not an ISO 3166 country code; use "
        "e.g. JP, FR, CN, US",
        "content/links/open.yaml:4: show_term: unknown field 'show_term'; did you mean "
        "'show_terms'?",
        "2 problems found.",
    ]


def test_check_annotates_each_problem_for_github_actions(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a pull request's checks, each problem shows on its file and line; the text report
    goes to stderr as ever. Commas, colons and line breaks are escaped as GitHub reads them."""
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nshow_term: true")
    content.edit("buyers/aoyama.yaml", "country: JP", "country: Japan")
    (content.root / "media/lookbooks/ss27-1.jpg").write_bytes(b"not, a: picture")
    assert main(["check", str(content.root), "--format", "github"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "::error file=content/buyers/aoyama.yaml,line=5,title=country::'Japan' is not an ISO "
        "3166 country code; use e.g. JP, FR, CN, US",
        "::error file=content/links/open.yaml,line=4,title=show_term::unknown field "
        "'show_term'; did you mean 'show_terms'?",
    ]
    assert err.endswith("2 problems found.\n")
    content.edit("links/open.yaml", "show_term: true", "")
    content.edit("buyers/aoyama.yaml", "country: Japan", "country: JP")
    assert main(["check", str(content.root), "--format", "github"]) == 1
    [picture] = capsys.readouterr().out.splitlines()
    assert picture.startswith("::error file=content/media/lookbooks/ss27-1.jpg")
    assert "\n" not in picture


def test_an_annotation_escapes_what_github_would_read_as_its_syntax() -> None:
    from generator._commands import annotation
    from generator.errors import ContentProblem

    problem = ContentProblem("content/a,b:c.yaml", 3, "x:y,z", "100% wrong:\nsee, here")
    assert annotation(problem) == ("::error file=content/a%2Cb%3Ac.yaml,line=3,title=x%3Ay%2Cz"
                                   "::100%25 wrong:%0Asee, here")
    assert annotation(ContentProblem("content", 0, "", "not found")) == (
        "::error file=content::not found")


def test_check_decodes_every_picture_and_names_each_one_the_build_could_not_publish(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    media = content.root / "media"
    (media / "styles/ss27-001-blk.jpg").write_bytes(b"GIF89a and then nothing")
    whole = (media / "seasons/ss27.jpg").read_bytes()
    (media / "lookbooks/ss27-1.jpg").write_bytes(whole[:len(whole) // 2])  # cut off
    assert main(["check", str(content.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("content/media/lookbooks/ss27-1.jpg: image 'lookbooks/ss27-1.jpg' "
                             "is damaged or truncated (")
    assert err[1:] == [
        "content/media/styles/ss27-001-blk.jpg: media file 'styles/ss27-001-blk.jpg' is not a "
        "JPEG, PNG, WebP or GIF image; replace it with a JPEG, PNG or WebP export of the photo",
        "2 problems found.",
    ]


def test_check_refuses_a_picture_too_large_to_publish(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    Image.new("RGB", (8000, 8000)).save(content.root / "media/seasons/ss27.jpg", "JPEG")
    assert main(["check", str(content.root)]) == 1
    assert "is 8000×8000 pixels, over the limit of 60,000,000" in capsys.readouterr().err


def test_check_names_a_logo_or_icon_a_browser_could_not_show(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    media = content.root / "media"
    content.edit("brand.yaml", "name: Atelier Test", "name: Atelier Test\nlogo: logo.png\n"
                 "icon: icon.png")
    (media / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n but no more")
    Image.new("RGB", (240, 120)).save(media / "icon.png", "PNG")
    assert main(["check", str(content.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == ("content/brand.yaml: icon: 'icon.png' is 240×120 pixels; an icon is a "
                      "square of at least 180×180 (phones show it on their home screen): crop "
                      "or export it so, or give an SVG")
    assert err[1].startswith("content/brand.yaml: logo: 'logo.png' is not an SVG, PNG, JPEG, "
                             "WebP or GIF image a browser can show (")
    assert err[2:] == ["2 problems found."]
    # An SVG logo and a square icon large enough pass.
    (media / "logo.png").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/'
                                    '2000/svg" viewBox="0 0 10 4"/>', encoding="utf-8")
    Image.new("RGB", (192, 192)).save(media / "icon.png", "PNG")
    assert main(["check", str(content.root)]) == 0


def test_check_of_a_file_says_it_wants_the_folder(
    content: ContentDir, capsys: pytest.CaptureFixture[str]
) -> None:
    brand = content.root / "brand.yaml"
    assert main(["check", str(brand)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{brand.as_posix()}: is a file, not the content directory; pass the folder that holds "
        "brand.yaml (default: content/)")


def test_check_of_a_missing_directory_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "content directory not found" in err
    assert "Traceback" not in err


def test_passcode_hash_reads_stdin_and_prints_a_verifiable_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("spring-27\n"))
    assert main(["passcode", "hash"]) == 0
    printed = capsys.readouterr().out.strip()
    assert is_passcode_hash(printed)
    assert verify_passcode("spring-27", printed)
    assert not verify_passcode("spring-28", printed)


def test_passcode_hash_refuses_a_short_passcode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("abc\n"))
    assert main(["passcode", "hash"]) == 1
    assert capsys.readouterr().err == "error: a passcode has at least 4 characters\n"


def test_passcode_hash_leaves_out_the_spaces_around_the_passcode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a content file reads a plain passcode, and as the endpoint reads a typed one."""
    monkeypatch.setattr("sys.stdin", io.StringIO(" spring-27 \n"))
    assert main(["passcode", "hash"]) == 0
    assert verify_passcode("spring-27", capsys.readouterr().out.strip())
    monkeypatch.setattr("sys.stdin", io.StringIO("    \n"))
    assert main(["passcode", "hash"]) == 1
    assert capsys.readouterr().err == "error: a passcode has at least 4 characters\n"


def test_passcode_hash_refuses_more_than_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the first would be hashed: the printed hash would not be of what was piped in."""
    monkeypatch.setattr("sys.stdin", io.StringIO("spring-27\nsummer-27\n"))
    assert main(["passcode", "hash"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("error: stdin holds more than one line; pipe in one passcode, e.g. "
                            "printf '%s' 'spring-2027' | linesheets passcode hash\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("spring-27\n\n  \n"))  # blank lines after
    assert main(["passcode", "hash"]) == 0
    assert verify_passcode("spring-27", capsys.readouterr().out.strip())


def test_a_hashed_passcode_in_content_is_accepted(content: ContentDir) -> None:
    from generator.passcode import hash_passcode

    hashed = hash_passcode("aoyama-2027", salt=b"0123456789abcdef")
    content.edit("buyers/aoyama.yaml", "{value: aoyama-2027}", f"{{hash: '{hashed}'}}")
    offer = content.load().offer("aoyama")
    assert offer.passcode == hashed
    assert verify_passcode("aoyama-2027", hashed)


@pytest.mark.parametrize(("private", "message"), [
    ("a-file", "the private folder '{private}' is a file; give --private a folder"),
    ("folder", "'{private}/manifest.json' is a folder; the build writes a file there"),
])
def test_a_private_folder_the_build_cannot_write_stops_it_before_the_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], private: str, message: str
) -> None:
    """The private manifest and keys are written after the site: a site published without
    them would have sealed pages whose keys are nowhere."""
    content = ContentDir(tmp_path / "content")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder" / "manifest.json").mkdir(parents=True)
    out, where = tmp_path / "public", tmp_path / private
    assert main(["build", str(content.root), "--out", str(out), "--private", str(where)]) == 1
    assert capsys.readouterr().err.startswith("error: " + message.format(private=where))
    assert not out.exists()


@pytest.mark.parametrize("private", ["public", "public/private", "public/../public/keys"])
def test_a_private_folder_inside_the_output_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], private: str
) -> None:
    """`--private public/private` once put keys.json and the passcode hashes among the files
    a brand publishes, and the cache beside them with the sealed links' cards in the clear."""
    content = ContentDir(tmp_path / "content")
    out, where = tmp_path / "public", tmp_path / private
    assert main(["build", str(content.root), "--out", str(out), "--private", str(where)]) == 1
    assert capsys.readouterr().err == (
        f"error: the private folder '{where}' (or the cache beside it) is inside the output "
        f"folder '{out}': its page keys, passcode hashes and the sealed links' cards would be "
        "published with the site; give --private a folder outside --out (default "
        "build/private/)\n")
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("out", [".", "content", "content/media/site"])
def test_an_output_folder_holding_the_content_or_inside_it_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str
) -> None:
    """`--out .` (or `--out content`) once wrote the site where publishing it would publish
    the buyers' files, passcodes and addresses with it."""
    content = ContentDir(tmp_path / "content")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    folder = tmp_path / out
    assert main(["build", str(content.root), "--out", str(folder), "--private",
                 str(tmp_path.parent / f"{tmp_path.name}-private")]) == 1
    assert capsys.readouterr().err.startswith(
        f"error: the output folder '{folder}' and the content folder '{content.root}' are one "
        "inside the other: the content (buyers' passcodes and addresses among it) would be "
        "published with the site")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_an_output_folder_the_build_cannot_write_stops_it_before_rendering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import build

    def never(*args: object) -> None:
        raise AssertionError("the catalog was loaded, though the build cannot be written")

    monkeypatch.setattr(build, "load_catalog", never)
    content = ContentDir(tmp_path / "content")
    out = tmp_path / "site.html"
    out.write_text("x")
    assert main(["build", str(content.root), "--out", str(out), "--private",
                 str(tmp_path / "private")]) == 1
    assert capsys.readouterr().err == (f"error: the output folder '{out}' is a file; give --out "
                                       "a folder (default public/)\n")
    # Its parent cannot hold a folder: the site could not be staged beside it.
    assert main(["build", str(content.root), "--out", str(out / "public"), "--private",
                 str(tmp_path / "private")]) == 1
    assert capsys.readouterr().err == (f"error: '{out}' is a file, not a folder; give --out a "
                                       "folder (default public/)\n")
    assert not (tmp_path / "private").exists()


def test_keys_rotate_makes_a_new_version_and_reseals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    from generator.seal import KeyStore
    from tests.unit.conftest import MEDIA

    content = ContentDir(tmp_path / "content")
    for name in MEDIA:
        Image.new("RGB", (60, 75), (200, 190, 180)).save(content.root / "media" / name, "JPEG")
    out, private = tmp_path / "public", tmp_path / "private"
    args = [str(content.root), "--out", str(out), "--private", str(private)]
    assert main(["build", *args, "--now", "2026-11-27T00:00:00+00:00"]) == 0
    page = out / "l/aoyama/ja/jpy/index.html"
    before = page.read_text()
    assert main(["keys", "rotate", "aoyama", *args]) == 0
    assert "link 'aoyama' now seals with key version 2" in capsys.readouterr().out
    assert KeyStore.load(private / "keys.json").current("aoyama").version == 2
    assert page.read_text() != before and '"v":2' in page.read_text()
    assert main(["keys", "rotate", "nope", *args]) == 1
    assert "no link 'nope'" in capsys.readouterr().err
    keys = (private / "keys.json").read_bytes()
    assert main(["keys", "rotate", "open", *args]) == 1  # a public link: nothing to rotate
    assert capsys.readouterr().err == ("error: link 'open' is public (no passcode, released, "
                                       "not expired): its pages are not sealed, so it has no "
                                       "key to rotate\n")
    assert (private / "keys.json").read_bytes() == keys


def test_build_no_new_keys_refuses_a_sealed_link_without_one_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI build with the brand's key store restored: a missing store, or a new passcode
    link, stops it (a new key would seal pages the endpoint cannot open)."""
    content = ContentDir(tmp_path / "content")
    out, private = tmp_path / "public", tmp_path / "private"
    args = [str(content.root), "--out", str(out), "--private", str(private),
            "--now", "2026-11-27T00:00:00+00:00"]
    assert main(["build", *args, "--no-new-keys"]) == 1
    assert capsys.readouterr().err == (
        f"error: link aoyama has no page key in {private / 'keys.json'}, and --no-new-keys "
        "lets the build make none; restore the brand's keys.json there (a copy of the "
        "build/private/keys.json of the build the endpoint runs), or build once without "
        "--no-new-keys and keep the keys.json it writes\n")
    assert [path for folder in (out, private) if folder.exists()
            for path in folder.rglob("*") if path.is_file()] == []

    assert main(["build", *args]) == 0
    keys = (private / "keys.json").read_bytes()
    content.write("links/vip.yaml", """
        kind: brand
        name: VIP
        seasons: [ss27]
        transaction: {term: wsp}
        passcode: {value: vip-2027}
        """)
    capsys.readouterr()
    pages = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert main(["build", *args, "--no-new-keys"]) == 1
    assert "error: link vip has no page key" in capsys.readouterr().err
    assert (private / "keys.json").read_bytes() == keys
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == pages
    content.write("links/vip.yaml", (content.root / "links/vip.yaml").read_text()
                  .replace("passcode: {value: vip-2027}\n", ""))
    assert main(["build", *args, "--no-new-keys"]) == 0  # keys for every sealed link: built


def test_a_reader_that_stops_reading_gets_no_traceback(content: ContentDir) -> None:
    """`linesheets links | head -1`: the pipe closes before the command is done writing."""
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-c", "import sys; from generator.cli import main; sys.exit(main())",
         "links", str(content.root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.close()  # long before the command has imported what it needs
        err = reader.stderr.read().decode()
        assert reader.wait(timeout=60) == 1
    assert err == ""
