"""Tests for scoring.links: URL finding and the allowed-domain rule."""

from scoring.links import find_urls, foreign_hosts, host_of, is_allowed, normalize_domain
from scoring.text import normalize


def test_bare_www_links_inside_chinese_punctuation():
    text = normalize("请访问www.cheap-deals.com，或者【https://t.cn/A6abcd】。")
    assert foreign_hosts(text, []) == ("t.cn", "www.cheap-deals.com")


def test_subdomains_of_allowed_domains_are_allowed():
    text = "See https://help.nimbus.com/reset?x=1. Or shop.nimbus.com/orders/1 or www.nimbus.com"
    assert foreign_hosts(text, ["nimbus.com"]) == ()
    assert foreign_hosts(text, ["help.nimbus.com"]) == ("shop.nimbus.com", "www.nimbus.com")
    assert not is_allowed("evilnimbus.com", ["nimbus.com"])


def test_emails_versions_and_file_names_are_not_links():
    assert find_urls("Email john@mail.example.com, v1.2, e.g. file.txt") == ()


def test_host_extraction():
    assert host_of("http://user:pw@Example.COM:8080/x") == "example.com"
    assert host_of("http://192.168.0.1:8080/x") == "192.168.0.1"
    assert normalize_domain("https://*.Example.com/") == "example.com"


def test_trailing_punctuation_is_not_part_of_the_link():
    assert find_urls("Go to http://bit.ly/abc).") == ("http://bit.ly/abc",)
