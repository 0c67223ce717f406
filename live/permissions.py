"""Who may do what with live coverage, from the page permissions the
newsroom already has: whoever may edit the story, or write stories in its
section, posts updates, pins them and marks key events, and changes or
removes their own; whoever may publish the story opens and ends the
coverage and changes or removes anyone's update.
A writer's update goes out at once only because an editor published the
live story and opened it for coverage."""


def may_post(user, page):
    if page.permissions_for_user(user).can_edit():
        return True
    section = page.get_parent()
    return section is not None and section.permissions_for_user(user).can_add_subpage()


def may_run(user, page):
    return page.permissions_for_user(user).can_publish()


def may_change(user, update, page):
    return may_run(user, page) or (update.posted_by_id == user.pk and may_post(user, page))
