-- Everything stored of one plan, before it is loaded again. Parameter: $plan_id.
DELETE FROM plans WHERE plan_id = $plan_id;
DELETE FROM plan_criteria WHERE plan_id = $plan_id;
DELETE FROM plan_assignments WHERE plan_id = $plan_id;
DELETE FROM plan_task_items WHERE plan_id = $plan_id;
DELETE FROM plan_task_units WHERE plan_id = $plan_id;
DELETE FROM crosswalk WHERE plan_id = $plan_id;
DELETE FROM plan_adoptions WHERE plan_id = $plan_id;
