"""User errors raise afc.Error located at file:line:col with afc's caret
text, whether they are in .af text, a file, a parameter or a call."""
import pytest

import afc

BAD_FIELD = """arch tiny {
  memory Main : LPDDR4 {
    size = inf;
    sise = 3;
  }
}
"""


def test_syntax_error_in_text_is_located():
    with pytest.raises(afc.Error) as info:
        afc.loads("arch broken {\n  memory M : LPDDR4 { size = ; }\n}\n",
                  name="broken.af")
    e = info.value
    assert (e.file, e.line) == ("broken.af", 2)
    assert e.column > 1
    text = str(e)
    assert text.startswith(f"broken.af:2:{e.column}: error: ")
    # The source line and a caret under the offending text.
    assert "  memory M : LPDDR4 { size = ; }" in text
    assert "^" in text


def test_semantic_error_with_hint_is_located():
    spec = afc.loads(BAD_FIELD, name="tiny.af")
    with pytest.raises(afc.Error) as info:
        spec.components()
    e = info.value
    assert (e.file, e.line, e.column) == ("tiny.af", 4, 5)
    assert "sise" in e.message
    assert str(e).startswith("tiny.af:4:5: error: ")


def test_bad_parameter_value_is_located_in_its_own_buffer():
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1)
    with pytest.raises(afc.Error) as info:
        spec.map(M="64 +")
    assert info.value.file == "<-D M>"
    assert info.value.line == 1


def test_missing_file():
    with pytest.raises(afc.Error) as info:
        afc.load("no/such/file.af")
    assert "no/such/file.af" in str(info.value)


def test_unknown_component_field():
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1, M=64, KN=64)
    with pytest.raises(afc.Error, match="GlobalBufer.size"):
        spec.map(fields={"GlobalBufer.size": 1024})
    with pytest.raises(afc.Error, match="sise"):
        spec.map(fields={"GlobalBuffer.sise": 1024})


def test_unknown_metric_suggests_one():
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1, M=64, KN=64)
    with pytest.raises(afc.Error, match="did you mean 'energy'"):
        spec.map(metric="enrgy")


def test_a_session_stays_usable_after_a_call_fails():
    spec = afc.load("arches/eyeriss.af", "workloads/basic/matmuls.af",
                    N_EINSUMS=1, M=64, KN=64)
    with pytest.raises(afc.Error):
        spec.map(M="oops")
    assert spec.map().computes == 64 ** 3
