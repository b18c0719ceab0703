use super::*;
use crate::store::actors::tests::sample;
use crate::store::testing;

#[test]
fn weeks_start_on_mondays_and_count_the_owners_posts() {
    let (_dir, conn) = testing::temporary();
    // 2026-12-03 is a Thursday; its week began on Monday 2026-11-30.
    let thursday = Timestamp(1_796_256_000_000 + 3_600_000);
    let weeks = weekly_posts(&conn, thursday, 3).unwrap();
    assert_eq!(weeks.len(), 3);
    assert_eq!(weeks[0].0, Timestamp(1_796_256_000_000 - 3 * 86_400_000));
    assert_eq!(weeks[1].0 .0, weeks[0].0 .0 - 7 * 86_400_000);
    assert!(weeks.iter().all(|(_, n)| *n == 0));
}

#[test]
fn a_mute_lasts_its_duration_and_a_bad_one_is_refused() {
    let (_dir, conn) = testing::temporary();
    let id = stored_actors::upsert(&conn, &sample("bo", "b.example"), Timestamp(1)).unwrap();
    let actor = actor(&conn, id).unwrap();
    let now = Timestamp::now();
    let muted = mute(&conn, &actor, Some(60), now).unwrap();
    assert!(muted.muting);
    assert_eq!(muted.mute_expires_at, Some(Timestamp(now.0 + 60_000)));
    let for_ever = mute(&conn, &actor, Some(0), now).unwrap();
    assert_eq!(for_ever.mute_expires_at, None);
    assert!(for_ever.muting);
    assert_eq!(mute(&conn, &actor, Some(-5), now).unwrap_err().status, 422);
    assert!(!unmute(&conn, &actor, now).unwrap().muting);
    assert_eq!(
        set_note(&conn, &actor, &"n".repeat(MAX_NOTE_CHARS + 1), now)
            .unwrap_err()
            .status,
        422
    );
    assert_eq!(set_note(&conn, &actor, " hi ", now).unwrap().note, "hi");
}
