"""The only code that writes claims (each verb keyword-only, taking the acting user, one
transaction, rights and reach checked by kinga.claims.queries.claims.CLAIM):

- `claims`: claim_create, claim_update, claim_delete (soft), claim_duplicate, attachment_add,
  claim_return (back to Entered for completion), proposed_code, list_price;
- `submission`: claims_submit / claim_submit (set-based checks, one result once);
- `review`: claims_select (review or feedback), claim_review, feedback_deliver.
"""
