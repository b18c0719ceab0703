use super::*;
use crate::domain::posts::{publish, Compose};
use crate::domain::testkit::urls;
use crate::model::Visibility;
use crate::store::testing;

fn compose(visibility: Visibility) -> Compose {
    Compose {
        source: "pin me".into(),
        summary: None,
        visibility,
        in_reply_to: None,
    }
}

#[test]
fn public_posts_pin_and_unpin_private_ones_do_not() {
    let (_dir, mut conn) = testing::temporary();
    let u = urls();
    let public = publish(&mut conn, &u, &compose(Visibility::Public), Timestamp(1)).unwrap();
    let private = publish(&mut conn, &u, &compose(Visibility::Followers), Timestamp(2)).unwrap();
    set(&mut conn, &u, public.id, true, Timestamp(3)).unwrap();
    assert!(posts::get(&conn, public.id).unwrap().unwrap().pinned);
    assert_eq!(
        set(&mut conn, &u, private.id, true, Timestamp(4))
            .unwrap_err()
            .status,
        422
    );
    set(&mut conn, &u, public.id, false, Timestamp(5)).unwrap();
    assert!(!posts::get(&conn, public.id).unwrap().unwrap().pinned);
    assert_eq!(
        set(&mut conn, &u, 999, true, Timestamp(6))
            .unwrap_err()
            .status,
        404
    );
}
