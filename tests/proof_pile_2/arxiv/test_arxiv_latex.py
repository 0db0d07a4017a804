"""Each RedPajama cleaning rule on real LaTeX."""

from __future__ import annotations

import pytest

from mathlm.proof_pile_2.arxiv.latex import (
    LatexLimitExceeded,
    clean_latex,
    collect_macros,
    cut_back_matter,
    decode_source,
    drop_preamble,
    expand_macros,
    find_main_file,
    join_inputs,
    mask_verbatim,
    normalize_blank_lines,
    resolve_input,
    strip_comments,
    verbatim_syntax,
)

PAPER = r"""\documentclass[11pt]{amsart}
\usepackage{amsmath,amssymb}
\newcommand{\R}{\mathbb{R}}
\newcommand\eps{\varepsilon}
\def\N{\mathbb{N}}
\newcommand{\norm}[1]{\left\| #1 \right\|}
\title{On uniformly convex functions}
\begin{document}
\maketitle
\begin{abstract}
We study functions $f\colon \R \to \R$.
\end{abstract}
\section{Introduction}
Let $f\colon \R^n \to \R$ be convex, so $x \Rightarrow y$ and $\eps > 0$. % TODO cite Rockafellar
About 50\% of the argument is classical; $\norm{x} \le 1$ for $n \in \N$.
\section{Main result}
\begin{theorem} For every $\eps>0$ there is $\delta>0$. \end{theorem}
\appendix
\section{Technical lemma}
Omitted.
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


def test_strip_comments_keeps_escaped_percent_and_drops_comment_lines() -> None:
    text = "About 50\\% of cases. % a remark\n% a whole comment line\nline break\\\\% comment after break\n"
    assert strip_comments(text) == "About 50\\% of cases. \nline break\\\\\n"


def test_strip_comments_hides_commented_out_sections() -> None:
    text = "%\\section{Old draft}\n\\section{Real}\n"
    assert drop_preamble(strip_comments(text)) == "\\section{Real}\n"


def test_decode_source_falls_back_to_latin1() -> None:
    assert decode_source("Erdős".encode()) == "Erdős"
    assert decode_source("Poincar\xe9".encode("latin-1")) == "Poincaré"


def test_find_main_file_is_the_one_with_documentclass() -> None:
    files = {
        "sections/intro.tex": "\\section{Intro} Text.",
        "paper.tex": "\\documentclass{article}\\begin{document}\\input{sections/intro}\\end{document}",
        "template.tex": "% \\documentclass{article}\n",
    }
    assert find_main_file(files) == "paper.tex"
    assert find_main_file({"only.tex": "\\section{A} b"}) == "only.tex"
    assert find_main_file({"a.tex": "\\section{A}", "b.tex": "\\section{B}"}) is None


def test_find_main_file_prefers_a_full_document_and_old_documentstyle() -> None:
    files = {
        "supp.tex": "\\documentclass{article}\n% supplement stub",
        "ms.tex": "\\documentstyle[12pt]{article}\n\\begin{document}\\section{A} x\\end{document}",
    }
    assert find_main_file(files) == "ms.tex"


def test_resolve_input_relative_paths_and_optional_extension() -> None:
    files = {"main.tex": "", "chapters/one.tex": "", "chapters/fig.tikz": "", "macros.tex": ""}
    assert resolve_input("chapters/one", "main.tex", files) == "chapters/one.tex"
    assert resolve_input("one.tex", "chapters/two.tex", files) == "chapters/one.tex"
    assert resolve_input("../macros", "chapters/two.tex", files) == "macros.tex"
    assert resolve_input("fig.tikz", "chapters/one.tex", files) == "chapters/fig.tikz"
    assert resolve_input("missing", "main.tex", files) is None


def test_join_inputs_recursively_and_guards_cycles() -> None:
    files = {
        "main.tex": "\\documentclass{article}\n\\begin{document}\n"
        "\\input{sec/intro}\n\\include{sec/proof.tex}\n"
        "\\input mystyle.sty\n\\includegraphics{fig.pdf}\n\\end{document}",
        "sec/intro.tex": "\\section{Introduction}\nSee \\input{details}. % \\input{old}",
        "sec/details.tex": "the details \\input{../main}",
        "sec/proof.tex": "\\section{Proof} By induction.",
    }
    joined = join_inputs("main.tex", files)
    assert "\\section{Introduction}\nSee the details . " in joined
    assert "\\section{Proof} By induction." in joined
    assert joined.count("\\documentclass") == 1  # the cycle back to main.tex is cut
    assert "old" not in joined and "mystyle" not in joined
    assert "\\includegraphics{fig.pdf}" in joined  # \include must not eat \includegraphics


def test_collect_macros_argument_free_only_and_removes_definitions() -> None:
    macros, rest = collect_macros(PAPER)
    assert macros == {"R": "\\mathbb{R}", "eps": "\\varepsilon", "N": "\\mathbb{N}"}
    assert "\\newcommand{\\R}" not in rest and "\\def\\N" not in rest
    assert "\\newcommand{\\norm}[1]{\\left\\| #1 \\right\\|}" in rest  # takes an argument: untouched


def test_collect_macros_nested_braces_and_renewcommand() -> None:
    macros, _ = collect_macros("\\renewcommand*{\\vol}{\\operatorname{vol}_{d}}\n\\def\\half{{\\frac{1}{2}}}")
    assert macros == {"vol": "\\operatorname{vol}_{d}", "half": "{\\frac{1}{2}}"}


def test_expand_macros_respects_word_boundaries() -> None:
    text = "$f\\colon \\R^n \\to \\R$, $x \\Rightarrow y$, $\\Re z$, \\R_+"
    assert expand_macros(text, {"R": "\\mathbb{R}"}) == (
        "$f\\colon \\mathbb{R}^n \\to \\mathbb{R}$, $x \\Rightarrow y$, $\\Re z$, \\mathbb{R}_+"
    )


def test_expand_macros_nested_and_recursive_definitions_terminate() -> None:
    assert expand_macros("$\\Rn$", {"Rn": "\\R^n", "R": "\\mathbb{R}"}) == "$\\mathbb{R}^n$"
    loop = expand_macros("\\x", {"x": "a\\x"})
    assert loop.startswith("aaa") and len(loop) < 100


def test_drop_preamble_starts_at_first_section_like_header() -> None:
    assert drop_preamble("\\title{T}\n\\begin{abstract}A\\end{abstract}\n\\chapter*{Preface}\nText") == (
        "\\chapter*{Preface}\nText"
    )
    assert drop_preamble("\\part{One} x") == "\\part{One} x"
    assert drop_preamble("\\subsection[short]{Long title} x").startswith("\\subsection[short]")
    assert drop_preamble("\\sectionmark{x} no headers here") is None


def test_cut_back_matter_at_appendix_or_bibliography() -> None:
    assert cut_back_matter("Body.\n\\appendix\n\\section{A}") == "Body.\n"
    assert (
        cut_back_matter("Body.\n\\begin{thebibliography}{9}\\bibitem{a} A.\\end{thebibliography}")
        == "Body.\n"
    )
    assert cut_back_matter("Body.\n\\bibliography{refs}") == "Body.\n"
    assert cut_back_matter("Body with \\appendixname.") == "Body with \\appendixname."


def test_normalize_blank_lines() -> None:
    assert normalize_blank_lines("\n\nA  \n\n\n\nB\n\n") == "A\n\nB"


def test_clean_latex_whole_paper() -> None:
    text, reason = clean_latex(PAPER, min_chars=100)
    assert reason is None
    assert text.startswith("\\section{Introduction}")
    assert "$f\\colon \\mathbb{R}^n \\to \\mathbb{R}$" in text
    assert "$x \\Rightarrow y$ and $\\varepsilon > 0$." in text
    assert "50\\%" in text and "TODO" not in text and "Rockafellar" not in text
    assert "n \\in \\mathbb{N}" in text
    assert "\\section{Main result}" in text
    assert "Technical lemma" not in text and "bibliography" not in text and "abstract" not in text


def test_clean_latex_drops_papers_without_sections() -> None:
    assert clean_latex("\\documentclass{article}\\begin{document}Just text.\\end{document}") == (
        None,
        "no_section",
    )
    assert clean_latex("% \\section{Draft}\nNo header survives.") == (None, "no_section")


def test_mask_verbatim_blanks_quoted_code_and_keeps_positions() -> None:
    text = (
        "\\lstnewenvironment{code}{}{}\nA \\verb|\\end{document}| B\n\\begin{code}\n\\appendix\n\\end{code}\n"
        "\\DefineShortVerb{\\|}\n|\\bibliography{x}| C\n"
    )
    masked = mask_verbatim(text, verbatim_syntax(text))
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert "\\end{document}" not in masked and "\\appendix" not in masked and "\\bibliography" not in masked
    assert "A " in masked and " B" in masked and " C" in masked


def test_back_matter_cut_waits_for_the_body() -> None:
    front = "\\chapter*{Publications}\n\\printbibliography[heading=none]\n"
    body = "\\chapter{Introduction}\nText.\n"
    assert cut_back_matter(front + body + "\\printbibliography\n") == front + body
    assert cut_back_matter("\\frontmatter\n" + front + "\\mainmatter\n" + body + "\\appendix X") == (
        "\\frontmatter\n" + front + "\\mainmatter\n" + body
    )
    assert cut_back_matter(body + "\\begin{appendices}\n\\chapter{A}") == body


def test_find_main_file_of_a_plain_tex_book_is_the_input_root() -> None:
    files = {
        "book.tex": "\\input macros\n\\input ch1\n\\input ch2\n\\bye\n",
        "macros.tex": "\\def\\chapter#1{#1}",
        "ch1.tex": "One \\input ch1a",
        "ch1a.tex": 'quoted: write("\\\\documentclass{article}")',
        "ch2.tex": "Two",
    }
    assert find_main_file(files) == "book.tex"
    assert find_main_file({"a.tex": "x", "b.tex": "y"}) is None


def test_caps_raise_with_their_reason() -> None:
    files = {"main.tex": "\\input{a}\\input{a}", "a.tex": "x" * 100}
    with pytest.raises(LatexLimitExceeded) as err:
        join_inputs("main.tex", files, max_chars=150)
    assert err.value.reason == "input_too_large"
    chain = {f"f{i}.tex": f"\\input{{f{i + 1}}}" for i in range(5)}
    with pytest.raises(LatexLimitExceeded) as err:
        join_inputs("f0.tex", chain, max_depth=3)
    assert err.value.reason == "input_too_deep"
    with pytest.raises(LatexLimitExceeded) as err:
        expand_macros("\\a " * 10, {"a": "\\a\\a\\a"}, max_chars=1000)
    assert err.value.reason == "macro_expansion_too_large"
