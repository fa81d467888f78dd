//! What an endpoint takes, declared as Grape declares it (`optional`, `requires`, `type:`,
//! `values:`, `at_least_one_of`, `mutually_exclusive`), and the check of a request against it.

use orgcells_service::ServiceError;

use super::Params;
use super::coerce::{coerce_bool, coerce_int, coerce_ints, coerce_text, coerce_texts};
use crate::error::ApiError;

/// The type of a declared parameter, as Grape's `type:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Integer,
    Boolean,
    /// `Array[Integer]`: `key[]=1&key[]=2`, `key=1,2` or a JSON array.
    Integers,
    /// `Array[String]`.
    Strings,
}

/// The values a declared parameter may take, as Grape's `values:`.
#[derive(Debug, Clone, Copy)]
pub enum Allowed {
    Any,
    Texts(&'static [&'static str]),
    Integers(&'static [i64]),
}

/// A parameter an endpoint takes, as Grape's `optional`/`requires`.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
    pub allowed: Allowed,
}

/// `optional :name, type: ...`.
pub const fn optional(name: &'static str, ty: Type) -> Declared {
    Declared {
        name,
        ty,
        required: false,
        allowed: Allowed::Any,
    }
}

/// `requires :name, type: ...`: its absence is `name is missing`.
pub const fn requires(name: &'static str, ty: Type) -> Declared {
    Declared {
        name,
        ty,
        required: true,
        allowed: Allowed::Any,
    }
}

impl Declared {
    /// `values: %w[...]`.
    pub const fn values(self, values: &'static [&'static str]) -> Declared {
        Declared {
            allowed: Allowed::Texts(values),
            ..self
        }
    }

    /// `values: [...]` of integers (access levels).
    pub const fn levels(self, values: &'static [i64]) -> Declared {
        Declared {
            allowed: Allowed::Integers(values),
            ..self
        }
    }
}

/// A rule over several parameters, as Grape's.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// `at_least_one_of`: `a, b are missing, at least one parameter must be provided`.
    AtLeastOneOf(&'static [&'static str]),
    /// `mutually_exclusive`: `a, b are mutually exclusive` (naming the ones given).
    MutuallyExclusive(&'static [&'static str]),
}

/// One step of a declaration checked in order: some parameters, or a rule over several.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Params(&'static [Declared]),
    Rule(Rule),
}

/// Every failure, joined with `, `, as Grape reports them; none is `Ok`.
fn joined(errors: Vec<String>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError(ServiceError::Params(errors.join(", "))))
    }
}

/// `page` and `per_page`, as GitLab's `use :pagination`.
pub const PAGE: &[Declared] = &[
    optional("page", Type::Integer),
    optional("per_page", Type::Integer),
];

/// Keyset pagination where a list offers it.
pub const KEYSET: &[Declared] = &[
    optional("pagination", Type::String),
    optional("cursor", Type::String),
    optional("id_after", Type::Integer),
    optional("id_before", Type::Integer),
];

/// GitLab's `Gitlab::Access.all_values`: the access levels a filter or a share may name.
pub const ACCESS_LEVELS: &[i64] = &[5, 10, 15, 20, 30, 40, 50];

/// `asc` or `desc`.
pub const SORTS: &[&str] = &["asc", "desc"];

/// GitLab's visibility levels by name.
pub const VISIBILITIES: &[&str] = &["private", "internal", "public"];

impl Params {
    /// Checks the parameters an endpoint declares, all of them, before anything happens: a
    /// required one missing, one not of its type, one not among its values, then the `rules`
    /// over several. Every failure is reported, joined with `, `, in Grape's words:
    /// `{"error": "visibility does not have a valid value, sort does not have a valid value"}`.
    /// Parameters not declared are ignored, as Grape ignores them.
    pub fn validate(&self, declared: &[&[Declared]], rules: &[Rule]) -> Result<(), ApiError> {
        let mut errors: Vec<String> = declared
            .iter()
            .flat_map(|set| set.iter())
            .filter_map(|param| self.check(param))
            .collect();
        errors.extend(rules.iter().filter_map(|rule| self.broken(rule)));
        joined(errors)
    }

    /// As [`Params::validate`], for an endpoint that declares a rule among its parameters
    /// rather than after them: Grape checks in declaration order, so the errors come in that
    /// order (`POST /users` declares its `at_least_one_of` before `name`).
    pub fn validate_in_order(&self, steps: &[Step]) -> Result<(), ApiError> {
        let errors = steps
            .iter()
            .flat_map(|step| match step {
                Step::Params(set) => set.iter().filter_map(|p| self.check(p)).collect(),
                Step::Rule(rule) => self.broken(rule).into_iter().collect::<Vec<_>>(),
            })
            .collect();
        joined(errors)
    }

    /// The error of a rule over several parameters, if it is broken.
    fn broken(&self, rule: &Rule) -> Option<String> {
        match rule {
            Rule::AtLeastOneOf(names) => (!names.iter().any(|name| self.has(name))).then(|| {
                format!(
                    "{} are missing, at least one parameter must be provided",
                    names.join(", ")
                )
            }),
            Rule::MutuallyExclusive(names) => {
                let given: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|name| self.has(name))
                    .collect();
                (given.len() > 1).then(|| format!("{} are mutually exclusive", given.join(", ")))
            }
        }
    }

    /// The error of one declared parameter, if any.
    fn check(&self, param: &Declared) -> Option<String> {
        let name = param.name;
        if !self.has(name) {
            return param.required.then(|| format!("{name} is missing"));
        }
        let fits = |text: Option<&str>, int: Option<i64>| match param.allowed {
            Allowed::Any => true,
            Allowed::Texts(values) => text.is_none_or(|t| values.contains(&t)),
            Allowed::Integers(values) => int.is_none_or(|i| values.contains(&i)),
        };
        let (coerced, in_values) = match param.ty {
            Type::String => match self.last(name).map(coerce_text).unwrap_or(Ok(None)) {
                Ok(text) => (true, fits(text.as_deref(), None)),
                Err(()) => (false, true),
            },
            Type::Integer => match self.last(name).map(coerce_int).unwrap_or(Ok(None)) {
                Ok(int) => (true, fits(None, int)),
                Err(()) => (false, true),
            },
            Type::Boolean => (
                self.last(name).map(coerce_bool).unwrap_or(Ok(None)).is_ok(),
                true,
            ),
            Type::Integers => match self
                .all(name)
                .map(coerce_ints)
                .collect::<Result<Vec<_>, ()>>()
            {
                Ok(lists) => (true, lists.iter().flatten().all(|i| fits(None, Some(*i)))),
                Err(()) => (false, true),
            },
            Type::Strings => match self
                .all(name)
                .map(coerce_texts)
                .collect::<Result<Vec<_>, ()>>()
            {
                Ok(lists) => (true, lists.iter().flatten().all(|t| fits(Some(t), None))),
                Err(()) => (false, true),
            },
        };
        if !coerced {
            Some(format!("{name} is invalid"))
        } else if !in_values {
            Some(format!("{name} does not have a valid value"))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<(), ApiError>) -> String {
        match result {
            Ok(()) => String::new(),
            Err(ApiError(ServiceError::Params(message))) => message,
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn validation_in_grapes_words() {
        const DECLARED: &[Declared] = &[
            requires("name", Type::String),
            optional("visibility", Type::String).values(VISIBILITIES),
            optional("sort", Type::String).values(SORTS),
            optional("level", Type::Integer).levels(&[10, 20]),
            optional("confirm", Type::Boolean),
        ];
        let check = |pairs: &[(&str, &str)], rules: &[Rule]| {
            message(Params::from_pairs(pairs).validate(&[DECLARED], rules))
        };
        assert_eq!(check(&[("name", "x")], &[]), "");
        assert_eq!(check(&[], &[]), "name is missing");
        assert_eq!(
            check(
                &[("name", "x"), ("visibility", "secret"), ("sort", "up")],
                &[]
            ),
            "visibility does not have a valid value, sort does not have a valid value"
        );
        assert_eq!(
            check(&[("name", "x"), ("level", "33"), ("confirm", "abc")], &[]),
            "level does not have a valid value, confirm is invalid"
        );
        assert_eq!(
            check(&[("name", "x"), ("level", "x")], &[]),
            "level is invalid"
        );
        assert_eq!(
            check(&[("other", "x")], &[Rule::AtLeastOneOf(&["name", "sort"])]),
            "name is missing, name, sort are missing, at least one parameter must be provided"
        );
        assert_eq!(
            check(
                &[("name", "x"), ("sort", "asc"), ("level", "10")],
                &[Rule::MutuallyExclusive(&["visibility", "sort", "level"])]
            ),
            "sort, level are mutually exclusive"
        );
        // A rule declared between parameters reports between them.
        const HEAD: &[Declared] = &[requires("email", Type::String)];
        const TAIL: &[Declared] = &[requires("name", Type::String)];
        let steps = [
            Step::Params(HEAD),
            Step::Rule(Rule::AtLeastOneOf(&["password", "reset"])),
            Step::Params(TAIL),
        ];
        assert_eq!(
            message(Params::from_pairs(&[]).validate_in_order(&steps)),
            "email is missing, password, reset are missing, at least one parameter must be provided, \
             name is missing"
        );
        assert_eq!(
            message(
                Params::from_pairs(&[("email", "e"), ("name", "n"), ("reset", "true")])
                    .validate_in_order(&steps)
            ),
            ""
        );
    }
}
