//! The people who follow the owner, whom the owner follows, and follow requests.

use maud::{html, Markup};

use crate::model::{Actor, PeopleTab, Profile};

use super::interactions::action;
use super::timeline::{avatar, meta, name};
use super::{layout, Viewer};

pub fn people(profile: &Profile, tab: PeopleTab, actors: &[Actor], viewer: &Viewer) -> Markup {
    let back = match tab {
        PeopleTab::Followers => "/people?tab=followers",
        PeopleTab::Following => "/people?tab=following",
        PeopleTab::Requests => "/people?tab=requests",
    };
    let body = html! {
        h1 { "People" }
        nav.tabs aria-label="Lists" {
            a href="/people?tab=followers" aria-current=[(tab == PeopleTab::Followers).then_some("page")] { "Followers" }
            a href="/people?tab=following" aria-current=[(tab == PeopleTab::Following).then_some("page")] { "Following" }
            a href="/people?tab=requests" aria-current=[(tab == PeopleTab::Requests).then_some("page")] { "Follow requests" }
        }
        @if actors.is_empty() { p.empty { "Nobody here yet." } }
        ul.list.people {
            @for actor in actors {
                li {
                    (avatar(actor)) strong { (name(actor)) } " " span.handle { (actor.handle()) }
                    span.actions {
                        @match tab {
                            PeopleTab::Followers => (action(viewer, "/actions/remove-follower", "actor", &actor.uri, "Remove", back)),
                            PeopleTab::Following => (action(viewer, "/actions/unfollow", "actor", &actor.uri, "Unfollow", back)),
                            PeopleTab::Requests => {
                                (action(viewer, "/actions/approve", "actor", &actor.uri, "Approve", back))
                                (action(viewer, "/actions/reject", "actor", &actor.uri, "Reject", back))
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&meta("People"), viewer, &profile.display_name, body)
}
