from fangpin.monitoring.docs_gen import docs_block, workflows_markdown


def test_docs_diagrams_match_the_transition_tables():
    assert docs_block() == workflows_markdown(), "run `fangpin describe-workflows` and commit docs/monitoring.md"
