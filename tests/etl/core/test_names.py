"""Place-name matching: spellings of Idleb's admin areas in English, French-style and Arabic.

The candidates are real OCHA COD-AB P-codes and names (public identifiers), copied from the
project's facts list, section 7; alt_* columns hold the second source's spellings.
"""
from __future__ import annotations

import collections

import pandas as pd
import pytest

from etl.core.names import NameMatcher, normalise, repair_mojibake
from tests.conftest import shared_path

# pcode, level, parent_pcode, name_en, name_ar, alt_en, alt_ar
ROWS = [
    ("SY07", 1, "SY", "Idleb", "إدلب", "Idlib", ""),
    ("SY0700", 2, "SY07", "Idleb", "مركز إدلب", "Idlib", ""),
    ("SY0702", 2, "SY07", "Al Ma'ra", "معرة النعمان", "Maarrat al-Nu'man", ""),
    ("SY0703", 2, "SY07", "Harim", "حارم", "Harem", ""),
    ("SY0704", 2, "SY07", "Jisr-Ash-Shugur", "جسر الشغور", "Jisr al-Shughur", ""),
    ("SY0705", 2, "SY07", "Ariha", "أريحا", "", ""),
    ("SY070000", 3, "SY0700", "Idleb", "مركز إدلب", "", ""),
    ("SY070001", 3, "SY0700", "Abul Thohur", "أبو الظهور", "", ""),
    ("SY070002", 3, "SY0700", "Bennsh", "بنش", "", ""),
    ("SY070003", 3, "SY0700", "Saraqab", "سراقب", "", ""),
    ("SY070004", 3, "SY0700", "Teftnaz", "تفتناز", "", ""),
    ("SY070005", 3, "SY0700", "Maaret Tamsrin", "معرة تمصرين", "", "معرتمصرين"),
    ("SY070006", 3, "SY0700", "Sarmin", "سرمين", "", ""),
    ("SY070200", 3, "SY0702", "Ma'arrat An Nu'man", "مركز معرة النعمان", "", ""),
    ("SY070201", 3, "SY0702", "Khan Shaykun", "خان شيخون", "", ""),
    ("SY070202", 3, "SY0702", "Sanjar", "سنجار", "", ""),
    ("SY070203", 3, "SY0702", "Kafr Nobol", "كفر نبل", "", ""),
    ("SY070204", 3, "SY0702", "Tamanaah", "التمانعة", "", ""),
    ("SY070205", 3, "SY0702", "Heish", "حيش", "", ""),
    ("SY070300", 3, "SY0703", "Harim", "مركز حارم", "", ""),
    ("SY070301", 3, "SY0703", "Dana", "دانا", "", "الدانا"),
    ("SY070302", 3, "SY0703", "Salqin", "سلقين", "", ""),
    ("SY070303", 3, "SY0703", "Kafr Takharim", "كفر تخاريم", "", ""),
    ("SY070304", 3, "SY0703", "Qourqeena", "قورقينا", "", ""),
    ("SY070305", 3, "SY0703", "Armanaz", "أرمناز", "", ""),
    ("SY070400", 3, "SY0704", "Jisr-Ash-Shugur", "مركز جسر الشغور", "", ""),
    ("SY070401", 3, "SY0704", "Badama", "بداما", "", ""),
    ("SY070402", 3, "SY0704", "Darkosh", "دركوش", "", ""),
    ("SY070403", 3, "SY0704", "Janudiyeh", "الجانودية", "", ""),
    ("SY070500", 3, "SY0705", "Ariha", "مركز أريحا", "", ""),
    ("SY070501", 3, "SY0705", "Ehsem", "احسم", "", "إحسم"),
    ("SY070502", 3, "SY0705", "Mhambal", "محمبل", "", ""),
    ("SY02", 1, "SY", "Aleppo", "حلب", "", ""),
    ("SY0204", 2, "SY02", "A'zaz", "اعزاز", "", ""),
    ("SY020400", 3, "SY0204", "A'zaz", "مركز اعزاز", "", ""),
    ("SY0202", 2, "SY02", "Al Bab", "الباب", "", ""),
    ("SY020203", 3, "SY0202", "Ar-Ra'ee", "الراعي", "", ""),
    ("SY06", 1, "SY", "Lattakia", "اللاذقية", "", ""),
    ("SY060005", 3, "SY0600", "Kasab", "كسب", "", ""),
]


@pytest.fixture(scope="module")
def candidates() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["pcode", "level", "parent_pcode", "name_en", "name_ar", "alt_en", "alt_ar"])


@pytest.fixture(scope="module")
def matcher(candidates) -> NameMatcher:
    return NameMatcher(candidates)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Idleb", "Idlib", "IDLIB", "Edlib"],
        ["Ma'arrat al-Nu'man", "Maarat An Numan", "Maarrat al-Numan", "Ma'arrat An Nu'man", "Maarrat an-Nu`man"],
        ["Harim", "Harem", "Hârim"],
        ["Jisr al-Shughur", "Jisr-Ash-Shugur", "Jisr ash Shughur"],
        ["A'zaz", "Azaz", "I'zaz", "A‘zaz", "Aʿzāz"],
        ["Khan Shaykhun", "Khan Sheikhoun", "Khan Sheikhun"],
        ["Dana", "Ad Dana", "Al-Dana", "ad-Dana"],
        ["Salqin", "Salqeen"],
        ["Kafr Takharim", "Kfar Takharim", "Kafar Takharim"],
        ["Qourqeena", "Kurkeena", "Qurqina"],
        ["Janudiyeh", "Al-Janudiyah", "Janoudiyeh"],
        ["Idleb centre", "Idleb Sub-district", "Markaz Idlib", "Idlib city", "idleb district"],
        ["إدلب", "ادلب", "مركز إدلب", "محافظة إدلب"],
        ["جسر الشغور", "جِسْرُ الشُّغُورِ", "جسر الشغـــور"],
        ["دانا", "الدانا"],
        ["احسم", "إحسم"],
        ["الحفة", "مركزالحفة", "مركز الحفة"],
    ],
)
def test_spellings_of_one_place_share_a_key(spellings):
    keys = {normalise(s) for s in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(normalise, spellings)))


@pytest.mark.parametrize(
    ("one", "other"),
    [("Harim", "Haram"), ("Dana", "Darkosh"), ("Idleb", "Ariha"), ("Suran", "Sur"), ("حارم", "حرم")],
)
def test_different_places_keep_different_keys(one, other):
    assert normalise(one) != normalise(other)


def test_blank_and_missing_names_have_an_empty_key():
    assert normalise("") == normalise("  ") == normalise(None) == normalise(float("nan")) == ""


def test_mojibake_is_repaired_and_clean_text_left_alone():
    assert repair_mojibake("Ø¥Ø¯Ù„Ø¨") == "إدلب"
    assert repair_mojibake("Ù…Ø¹Ø±Ø© Ø§Ù„Ù†Ø¹Ù…Ø§Ù†") == "معرة النعمان"
    assert repair_mojibake("Apaydiná") == "Apaydiná"  # HIU's damaged name is not UTF-8 mojibake
    assert repair_mojibake("Idleb") == "Idleb"
    assert normalise("Ø¥Ø¯Ù„Ø¨") == normalise("إدلب")


@pytest.mark.parametrize(
    ("name", "level", "pcode", "method"),
    [
        ("Idlib", 1, "SY07", "exact"),
        ("Idlib", 2, "SY0700", "exact"),
        ("Idlib", 3, "SY070000", "exact"),
        ("Maarat An Numan", 3, "SY070200", "exact"),
        ("Ma'arrat al-Nu'man", 3, "SY070200", "exact"),
        ("Harem", 3, "SY070300", "exact"),
        ("Harem", 2, "SY0703", "exact"),
        ("Jisr al-Shughur", 3, "SY070400", "exact"),
        ("Saraqib", 3, "SY070003", "fuzzy"),
        ("Khan Sheikhoun", 3, "SY070201", "fuzzy"),
        ("Khan Shaykun", 3, "SY070201", "exact"),
        ("Al-Dana", 3, "SY070301", "exact"),
        ("Salqeen", 3, "SY070302", "exact"),
        ("Kurkeena", 3, "SY070304", "exact"),
        ("I'zaz", 3, "SY020400", "exact"),
        ("Azaz", 2, "SY0204", "exact"),
        ("Ar-Raee", 3, "SY020203", "exact"),
        ("Kafr Nubl", 3, "SY070203", "fuzzy"),
        ("Mhambel", 3, "SY070502", "fuzzy"),
        ("Ihsim", 3, "SY070501", "exact"),
        ("إدلب", 1, "SY07", "exact"),
        ("ادلب", 3, "SY070000", "exact"),
        ("معرة النعمان", 2, "SY0702", "exact"),
        ("معرة النعمان", 3, "SY070200", "exact"),
        ("سراقب", 3, "SY070003", "exact"),
        ("جِسْرُ الشُّغُورِ", 3, "SY070400", "exact"),
        ("معرتمصرين", 3, "SY070005", "exact"),  # via the alt_ar spelling
        ("Maarrat al-Nu'man", 2, "SY0702", "exact"),  # via the alt_en spelling
    ],
)
def test_match(matcher, name, level, pcode, method):
    match = matcher.match(name, level=level)
    assert (match.pcode, match.method) == (pcode, method), str(match)
    assert match.candidates[0][0] == pcode
    assert match.query == name


def test_fuzzy_arabic_without_the_alternative_spelling(candidates):
    match = NameMatcher(candidates.drop(columns=["alt_ar"])).match("معرتمصرين", level=3)
    assert (match.pcode, match.method) == ("SY070005", "fuzzy")
    assert 0.85 <= match.score < 1


def test_alt_names_are_what_matches_a_district_by_its_town_name(candidates):
    """'Maarrat al-Nu'man' is the district OCHA calls 'Al Ma'ra': only the alt spelling links them."""
    match = NameMatcher(candidates.drop(columns=["alt_en"])).match("Maarrat al-Nu'man", level=2)
    assert match.pcode is None and match.method == "unmatched"


def test_several_alt_names_in_one_cell(candidates):
    frame = candidates.assign(alt_en=candidates["alt_en"].where(candidates["pcode"] != "SY070302", "Salkin|Selqin"))
    matcher = NameMatcher(frame)
    assert matcher.match("Selqin", level=3).pcode == "SY070302"
    assert matcher.match("Salkin", level=3).pcode == "SY070302"


def test_same_name_at_several_levels_is_ambiguous_without_a_level(matcher):
    match = matcher.match("Idlib")
    assert match.pcode is None and match.method == "ambiguous"
    assert {p for p, _, s in match.candidates if s == 1.0} == {"SY07", "SY0700", "SY070000"}


def test_within_restricts_to_a_parent(matcher):
    assert matcher.match("Harim").pcode is None  # district and sub-district
    assert matcher.match("Harim", within="SY0703", level=3).pcode == "SY070300"
    assert matcher.match("A'zaz", within="SY02", level=3).pcode == "SY020400"
    outside = matcher.match("Dana", level=3, within="SY0704")
    assert outside.pcode is None and outside.method == "unmatched"
    assert all(p.startswith("SY0704") for p, _, _ in outside.candidates)


def test_unmatched_name_reports_its_nearest_candidates(matcher):
    match = matcher.match("Maarat Misrin", level=3)
    assert match.pcode is None and match.method == "unmatched"
    assert match.candidates[0][:2] == ("SY070005", "Maaret Tamsrin")
    assert len(match.candidates) == 3
    assert [s for _, _, s in match.candidates] == sorted((s for _, _, s in match.candidates), reverse=True)
    text = str(match)
    assert text.startswith("unmatched: 'Maarat Misrin' (nearest: SY070005 Maaret Tamsrin 0.")


def test_two_close_candidates_are_ambiguous_not_guessed():
    frame = pd.DataFrame(
        {"pcode": ["X01", "X02"], "level": [3, 3], "name_en": ["Tal Hamid", "Tal Hamad"], "name_ar": ["", ""]}
    )
    match = NameMatcher(frame).match("Tal Hamd")
    assert match.pcode is None and match.method == "ambiguous"
    assert {p for p, _, _ in match.candidates} == {"X01", "X02"}


def test_scripts_are_not_compared_with_each_other(matcher):
    match = matcher.match("سراقب", level=3)
    assert match.method == "exact"
    assert matcher.match("Saraqab", level=3).method == "exact"


def test_blank_name(matcher):
    match = matcher.match("  ", level=3)
    assert match.pcode is None and match.method == "blank" and match.candidates == []


def test_repeated_look_ups_keep_their_own_query(matcher):
    first, second = matcher.match("Idlib", level=1), matcher.match("IDLIB", level=1)
    assert first.pcode == second.pcode == "SY07"
    assert (first.query, second.query) == ("Idlib", "IDLIB")


def test_candidates_need_pcode_level_and_name_en():
    with pytest.raises(ValueError, match="level"):
        NameMatcher(pd.DataFrame({"pcode": ["SY07"], "name_en": ["Idleb"]}))


# ---- real files ------------------------------------------------------------------------------

COD_AB = "syr_cod_ab_uncs_unocha_20201217_shp"


def cod_ab_candidates() -> pd.DataFrame:
    """Admin 1-3 of the COD-AB shapefiles as a candidates frame; ADMx_REF (the ASCII spelling)
    and the ADMxALT columns as alternative names."""
    import geopandas as gpd

    folder = shared_path(COD_AB)
    frames = []
    for level in (1, 2, 3):
        table = gpd.read_file(folder / f"syr_admbnda_adm{level}_uncs_unocha_20201217.shp", ignore_geometry=True)
        p = f"ADM{level}"
        frames.append(pd.DataFrame({
            "pcode": table[f"{p}_PCODE"],
            "level": level,
            "parent_pcode": table[f"ADM{level - 1}_PCODE"],
            "name_en": table[f"{p}_EN"],
            "name_ar": table[f"{p}_AR"],
            "alt_ref": table[f"{p}_REF"],
            "alt_en": table[[f"{p}ALT1EN", f"{p}ALT2EN"]].apply(lambda r: "|".join(r.dropna()), axis=1),
            "alt_ar": table[[f"{p}ALT1AR", f"{p}ALT2AR"]].apply(lambda r: "|".join(r.dropna()), axis=1),
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def cod_ab():
    frame = cod_ab_candidates()
    return frame, NameMatcher(frame)


@pytest.mark.shared
@pytest.mark.parametrize("column", ["name_en", "name_ar"])
def test_every_cod_ab_sub_district_name_finds_its_own_pcode(cod_ab, column):
    frame, matcher = cod_ab
    admin3 = frame[frame["level"] == 3]
    alone = collections.Counter()
    misses = []
    for row in admin3.itertuples():
        match = matcher.match(getattr(row, column), level=3)
        alone[match.method] += 1
        if match.pcode != row.pcode:
            misses.append(str(match))
        assert matcher.match(getattr(row, column), level=3, within=row.parent_pcode).pcode == row.pcode
    rate = alone["exact"] / len(admin3)
    print(f"\nCOD-AB admin3 {column}: {len(admin3)} names, {dict(alone)}, exact {rate:.1%}; not unique: {misses}")
    assert rate >= 0.99
    assert len(admin3) == 272


@pytest.mark.shared
def test_ocha_community_list_admin_names_match_cod_ab(cod_ab):
    """The OCHA community list (CWG copy) names admin 1-3 as COD-AB does; each finds its P-code."""
    _, matcher = cod_ab
    path = shared_path("syr_ocha_locations_pcodes", "locations_aoc.csv")
    communities = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    failures = []
    for level in (1, 2, 3):
        names = communities[[f"admin{level}pcode", f"admin{level}name_en", f"admin{level}name_ar"]].drop_duplicates()
        for pcode, name_en, name_ar in names.itertuples(index=False):
            parent = pcode[:-2] if level > 1 else None
            for name in (name_en, name_ar):
                if matcher.match(name, level=level, within=parent).pcode != pcode:
                    failures.append((level, pcode, name))
    assert failures == []


@pytest.mark.shared
def test_hiu_idp_site_admin_spellings(cod_ab):
    """HIU (2015) spells admin names its own way ('Idlib', 'Latakia', 'As Suwayda'', 'Rebee'a').
    Each is matched within the parent its community P-code names; the hit rate is reported."""
    import geopandas as gpd

    _, matcher = cod_ab
    zipped = shared_path("hiu_syria_sites_2015", "Syria_IDPSites_2015Apr16_HIU_USDoS.zip")
    sites = gpd.read_file(f"zip://{zipped}", ignore_geometry=True)
    # SOURCE.txt: one 'Atimah' row has ADM2/ADM3 swapped ('Dana' as district, 'Harim' as sub-district)
    sites = sites[~((sites["ADM2"] == "Dana") & (sites["ADM3"] == "Harim"))]
    tried, misses = set(), []
    for level, column in ((1, "ADM1"), (2, "ADM2"), (3, "ADM3")):
        for name, pcode in set(zip(sites[column], sites["PCODE"].str[: 2 + 2 * level])):
            tried.add((level, name))
            match = matcher.match(name, level=level, within=pcode[:-2] if level > 1 else None)
            if match.pcode != pcode:
                misses.append(match)
    print(f"\nHIU admin spellings: {len(tried) - len(misses)}/{len(tried)} matched; missed: {list(map(str, misses))}")
    # 'Halab' is Aleppo's Arabic name in Latin letters, not a spelling of 'Aleppo';
    # 'Rebee'a' / 'Rabee'a' differ in a vowel the folding keeps apart (as it keeps Harim from Haram)
    assert {m.query for m in misses} <= {"Halab", "Rebee'a"}
    assert all(m.candidates[0][0] == "SY060002" for m in misses if m.query == "Rebee'a")  # the right nearest
