"""CI formats: what a run, check, lint or diff found, written for machines and reviewers.

    checked.py       the problems among a `simulator.check.Checked` (flows, assertions, lint
                     findings) and where each points in its file (shared by every format)
    changes.py       the same for the changes of a `simulator.diff.WorldDiff`
    locate.py        the line of a policy statement, a flow or an assertion in a scenario
    sarif.py         SARIF 2.1.0 (code scanning), built with the sarif-pydantic models
    junit.py         JUnit XML (GitLab, Jenkins, Azure test reports), built with xml.etree
    markdown.py      a pull-request comment: a table and a Mermaid chart per failing chain
    json_reports.py  the versioned JSON documents of check, lint and diff (docs/output.md)

Pure functions of results: no file is read here. Where a format wants a file's text (the
SARIF line of a statement), the caller passes `read`, which returns the text or None.
"""
