# Prompt pools of the six basic expressions: the paper's Table I (kept verbatim;
# extend freely). Stored as data so configs stay serialisable.
prompt_pools = dict(
    happy=['a person smiling happily', 'a joyful facial expression',
           'an expression of delight'],
    sad=['a person looking down sadly', 'a face showing sorrow', 'a sad expression'],
    surprise=['a surprised facial expression', 'a face with surprise expression',
              'a face reacting with amazement'],
    angry=['a person frowning angrily', 'an expression of frustration',
           'a face showing intense anger'],
    disgust=['a person showing disgust', 'a face with disgust expression',
             'a disgusted facial reaction'],
    fear=['a fearful facial expression', 'a person appearing afraid',
          'a face with fear expression'],
    neutral=['a neutral facial expression', 'a calm, expressionless face',
             'a face at rest'],
)
