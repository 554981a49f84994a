{#-
    Every input line that could not be used, with where it came from and why: nothing is dropped
    silently. One row per rejected line.
-#}
with

chat_lines as (
    select * from {{ ref('base_chat__message_lines') }}
),

chat_rejected as (
    select
        'chat' as source,
        file_name,
        line_number,
        raw_line,
        rejection_reason
    from chat_lines
    where rejection_reason is not null
)

select * from chat_rejected
