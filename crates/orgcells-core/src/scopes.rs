//! Token scopes as GitLab enforces them (`lib/api/api_guard.rb`, `allow_access_with_scope`):
//! which scopes a request needs, and what `Sudo` needs. The API says which part of it a
//! request reaches ([`Surface`]); the decision is here.

/// Everything.
pub const API: &str = "api";
/// Every read.
pub const READ_API: &str = "read_api";
/// Reads of the Users API: `GET /user`, `GET /users`, `GET /users/:id` and what GitLab's
/// `users.rb` serves with them.
pub const READ_USER: &str = "read_user";
/// Acting as another User (an admin's token).
pub const SUDO: &str = "sudo";
/// Rotating the token itself.
pub const SELF_ROTATE: &str = "self_rotate";

/// The part of the API a request reaches, as far as scopes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The Users API (GitLab's `users.rb`): `read_user` reads it.
    Users,
    /// A token reading or revoking itself (`/personal_access_tokens/self`): any scope.
    TokenItself,
    /// Rotating the token itself: `api` or `self_rotate`.
    TokenRotation,
    /// Everything else.
    Other,
}

/// A refusal: the scopes that would have allowed the request, as GitLab lists them in its
/// 403 `insufficient_scope` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientScope(pub &'static [&'static str]);

/// Whether a token with `scopes` may make a request (`read`: GET or HEAD) reaching `surface`.
pub fn allows<S: AsRef<str>>(
    scopes: &[S],
    read: bool,
    surface: Surface,
) -> Result<(), InsufficientScope> {
    let needs: &'static [&'static str] = match (surface, read) {
        (Surface::TokenItself, _) => return Ok(()),
        (Surface::TokenRotation, _) => &[API, SELF_ROTATE],
        (Surface::Users, true) => &[API, READ_API, READ_USER],
        (Surface::Other, true) => &[API, READ_API],
        (Surface::Users | Surface::Other, false) => &[API],
    };
    if scopes.iter().any(|s| needs.contains(&s.as_ref())) {
        Ok(())
    } else {
        Err(InsufficientScope(needs))
    }
}

/// Why `Sudo` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SudoRefused {
    /// 403 "Must be admin to use sudo".
    NotAdmin,
    /// 403 `insufficient_scope`: the token lacks `sudo`.
    Scope(InsufficientScope),
}

/// Whether a token with `scopes`, held by an admin or not, may act as another User. GitLab
/// asks for admin first, then for the `sudo` scope; `api` alone is not enough.
pub fn allows_sudo<S: AsRef<str>>(scopes: &[S], admin: bool) -> Result<(), SudoRefused> {
    if !admin {
        return Err(SudoRefused::NotAdmin);
    }
    if scopes.iter().any(|s| s.as_ref() == SUDO) {
        Ok(())
    } else {
        Err(SudoRefused::Scope(InsufficientScope(&[SUDO])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Surface::*;

    #[test]
    fn scopes_per_request() {
        // (token scopes, read, surface, allowed)
        #[rustfmt::skip]
        let cases: &[(&[&str], bool, Surface, bool)] = &[
            (&["api"], true, Other, true),
            (&["api"], false, Other, true),
            (&["api"], false, Users, true),
            (&["read_api"], true, Other, true),
            (&["read_api"], true, Users, true),
            (&["read_api"], false, Other, false),
            (&["read_api"], false, Users, false),
            (&["read_user"], true, Users, true),
            (&["read_user"], true, Other, false),
            (&["read_user"], false, Users, false),
            (&["read_repository"], true, Other, false),
            (&["k8s_proxy"], true, Users, false),
            (&["sudo"], true, Other, false),
            (&[], true, Other, false),
            (&["read_user"], true, TokenItself, true),
            (&["read_user"], false, TokenItself, true),
            (&["k8s_proxy"], false, TokenItself, true),
            (&["self_rotate"], false, TokenRotation, true),
            (&["api"], false, TokenRotation, true),
            (&["read_api"], false, TokenRotation, false),
            (&["read_user", "read_api"], true, Other, true),
        ];
        for (scopes, read, surface, allowed) in cases {
            assert_eq!(
                allows(scopes, *read, *surface).is_ok(),
                *allowed,
                "{scopes:?} read {read} {surface:?}"
            );
        }
        assert_eq!(
            allows(&["read_user"], true, Other),
            Err(InsufficientScope(&[API, READ_API]))
        );
    }

    #[test]
    fn sudo_needs_an_admin_and_the_scope() {
        // (token scopes, admin, decision)
        let cases: &[(&[&str], bool, Result<(), SudoRefused>)] = &[
            (&["api", "sudo"], true, Ok(())),
            (&["sudo"], true, Ok(())),
            (
                &["api"],
                true,
                Err(SudoRefused::Scope(InsufficientScope(&[SUDO]))),
            ),
            (&["api", "sudo"], false, Err(SudoRefused::NotAdmin)),
            (&["api"], false, Err(SudoRefused::NotAdmin)),
        ];
        for (scopes, admin, expect) in cases {
            assert_eq!(
                allows_sudo(scopes, *admin),
                *expect,
                "{scopes:?} admin {admin}"
            );
        }
    }
}
