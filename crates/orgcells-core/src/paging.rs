//! GitLab's pagination headers, decided once for a Cell's page and for the router's page merged
//! across Cells: offset pages (`X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page`, `X-Total`,
//! `X-Total-Pages`, `Link` with prev, next, first and last) and keyset pages (`X-Per-Page`, a
//! `Link` to the next page only). The links are made by the caller, which knows the request's
//! address.

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;
/// Above this many rows, GitLab drops `X-Total`, `X-Total-Pages` and `rel="last"`.
pub const COUNT_LIMIT: i64 = 10_000;

/// The parameters a link replaces (an empty value removes the parameter).
pub type Replace = Vec<(&'static str, String)>;

/// One page of a list, as its headers tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Offset {
        page: i64,
        per_page: i64,
        has_next: bool,
        /// The list's length, when counted (dropped above [`COUNT_LIMIT`]).
        total: Option<i64>,
    },
    Keyset {
        per_page: i64,
        /// What the next page's link replaces, if there is a next page.
        next: Option<Replace>,
    },
}

/// The headers of `page`, by lower-case name; `link` makes the address of the request with
/// some parameters replaced.
pub fn headers(
    page: &Page,
    link: impl Fn(&[(&str, String)]) -> String,
) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    let mut links = Vec::new();
    match page {
        Page::Keyset { per_page, next } => {
            headers.push(("x-per-page", per_page.to_string()));
            if let Some(next) = next {
                links.push(format!("<{}>; rel=\"next\"", link(next)));
            }
        }
        Page::Offset {
            page,
            per_page,
            has_next,
            total,
        } => {
            let (page, per_page) = (*page, *per_page);
            let total = total.filter(|total| *total <= COUNT_LIMIT);
            let page_link =
                |n: i64| link(&[("page", n.to_string()), ("per_page", per_page.to_string())]);
            let number = |shown: bool, n: i64| if shown { n.to_string() } else { String::new() };
            headers.push(("x-page", page.to_string()));
            headers.push(("x-per-page", per_page.to_string()));
            headers.push(("x-next-page", number(*has_next, page + 1)));
            headers.push(("x-prev-page", number(page > 1, page - 1)));
            if page > 1 {
                links.push(format!("<{}>; rel=\"prev\"", page_link(page - 1)));
            }
            if *has_next {
                links.push(format!("<{}>; rel=\"next\"", page_link(page + 1)));
            }
            links.push(format!("<{}>; rel=\"first\"", page_link(1)));
            if let Some(total) = total {
                let pages = ((total + per_page - 1) / per_page).max(1);
                headers.push(("x-total", total.to_string()));
                headers.push(("x-total-pages", pages.to_string()));
                links.push(format!("<{}>; rel=\"last\"", page_link(pages)));
            }
        }
    }
    if !links.is_empty() {
        headers.push(("link", links.join(", ")));
    }
    headers
}

/// The query `pairs` with `replace` applied: replaced names dropped, then the replacements with
/// a value added at the end.
pub fn replaced<'a>(
    pairs: &'a [(String, String)],
    replace: &'a [(&str, String)],
) -> Vec<(&'a str, &'a str)> {
    let mut kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(name, _)| !replace.iter().any(|(r, _)| r == name))
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    kept.extend(
        replace
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (*name, value.as_str())),
    );
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(replace: &[(&str, String)]) -> String {
        let pairs = vec![("order_by".to_owned(), "name".to_owned())];
        replaced(&pairs, replace)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn get<'a>(headers: &'a [(&str, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn offset_pages() {
        // (page, has_next, total, x-next-page, x-prev-page, x-total-pages, rels); one per case.
        type Case = (
            i64,
            bool,
            Option<i64>,
            &'static str,
            &'static str,
            Option<&'static str>,
            &'static str,
        );
        let cases: &[Case] = &[
            (1, false, Some(0), "", "", Some("1"), "first last"),
            (1, true, Some(45), "2", "", Some("3"), "next first last"),
            (
                2,
                true,
                Some(45),
                "3",
                "1",
                Some("3"),
                "prev next first last",
            ),
            (3, false, Some(45), "", "2", Some("3"), "prev first last"),
            (2, true, Some(10_001), "3", "1", None, "prev next first"),
            (2, false, None, "", "1", None, "prev first"),
        ];
        for (page, has_next, total, next, prev, pages, rels) in cases {
            let headers = headers(
                &Page::Offset {
                    page: *page,
                    per_page: 20,
                    has_next: *has_next,
                    total: *total,
                },
                link,
            );
            let case = format!("page {page}, {total:?}");
            assert_eq!(
                get(&headers, "x-page"),
                Some(page.to_string().as_str()),
                "{case}"
            );
            assert_eq!(get(&headers, "x-per-page"), Some("20"), "{case}");
            assert_eq!(get(&headers, "x-next-page"), Some(*next), "{case}");
            assert_eq!(get(&headers, "x-prev-page"), Some(*prev), "{case}");
            assert_eq!(get(&headers, "x-total-pages"), *pages, "{case}");
            let total_shown = total.filter(|t| *t <= COUNT_LIMIT).map(|t| t.to_string());
            assert_eq!(get(&headers, "x-total"), total_shown.as_deref(), "{case}");
            let links = get(&headers, "link").expect("links");
            let found: Vec<&str> = links
                .split(", ")
                .map(|l| l.split("rel=\"").nth(1).expect("rel").trim_end_matches('"'))
                .collect();
            assert_eq!(found.join(" "), *rels, "{case}");
            assert!(links.starts_with("<order_by=name&page="), "{links}");
        }
    }

    #[test]
    fn keyset_pages_link_the_next_only() {
        let next = Page::Keyset {
            per_page: 5,
            next: Some(vec![("cursor", "7:b".into()), ("id_after", String::new())]),
        };
        assert_eq!(
            headers(&next, link),
            [
                ("x-per-page", "5".to_owned()),
                (
                    "link",
                    "<order_by=name&cursor=7:b>; rel=\"next\"".to_owned()
                ),
            ]
        );
        let last = Page::Keyset {
            per_page: 5,
            next: None,
        };
        assert_eq!(headers(&last, link), [("x-per-page", "5".to_owned())]);
    }

    #[test]
    fn replacing_keeps_the_rest_in_order() {
        let pairs = vec![
            ("page".to_owned(), "2".to_owned()),
            ("search".to_owned(), "a b".to_owned()),
            ("cursor".to_owned(), "x".to_owned()),
        ];
        let replace = [("page", "3".to_owned()), ("cursor", String::new())];
        assert_eq!(
            replaced(&pairs, &replace),
            [("search", "a b"), ("page", "3")]
        );
    }
}
