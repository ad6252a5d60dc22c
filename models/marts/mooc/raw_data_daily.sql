with

features as (

    select * from {{ ref('int_raw_data_features') }}
    where snapshot_kind = 'daily'

),

final as (

    select
        {{ raw_data_select('features') }}
    from features

)

select
    {{ raw_data_columns() | join(',\n    ') }}
from final
