from banzu.similarity import format_ratio


def test_format_ratio_rounds_half_up_to_one_decimal():
    assert [format_ratio(r) for r in (0.488, 0.4875, 0.48749, 0.0, 1.0, 0.00049, 0.3405)] == [
        "48.8%",
        "48.8%",
        "48.7%",
        "0.0%",
        "100.0%",
        "0.0%",
        "34.1%",
    ]
